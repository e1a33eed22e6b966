"""A simulated XGIMI (极米) projector for tests: a device model behind a real ADB daemon.

Quick start::

    from simulator import Simulator
    async with Simulator("gmui_android9", mains_port=0) as sim:
        ...  # connect any ADB client to 127.0.0.1:sim.port

or from a shell: ``python -m simulator --port 5555 --profile gmui_android12``.

The simulated shell runs a real ``bash`` in a bubblewrap jail for each command line (no network,
a read-only minimal filesystem, a private ``/tmp``, uid 2000), with Android's commands answered
by the device model; see :mod:`simulator.shell` and :mod:`simulator.sandbox`.
"""

from __future__ import annotations

from .backend import DeviceBackend, ShellResult
from .clock import RealClock, VirtualClock
from .device import DeviceModel
from .faults import Fault, FaultState, PromptMode
from .media import PlaybackState
from .power import DeviceState
from .profiles import Profile, ProfileError, list_profiles, load_profile
from .simulated_projector import Simulator

__all__ = [
    "DeviceBackend",
    "DeviceModel",
    "DeviceState",
    "Fault",
    "FaultState",
    "PlaybackState",
    "Profile",
    "ProfileError",
    "PromptMode",
    "RealClock",
    "ShellResult",
    "Simulator",
    "VirtualClock",
    "list_profiles",
    "load_profile",
]
