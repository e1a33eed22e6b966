"""A simulated XGIMI (极米) projector for tests: a device model behind a real ADB daemon.

Quick start::

    from simulator import Simulator
    async with Simulator("gmui_android9", mains_port=0) as sim:
        ...  # connect any ADB client to 127.0.0.1:sim.port

or from a shell: ``python -m simulator --port 5555 --profile gmui_android12``.

The simulated shell runs a real ``bash`` on the host (restricted PATH, loopback only); see
:mod:`simulator.shell`.
"""

from __future__ import annotations

from .backend import DeviceBackend, ShellResult
from .core import Simulator
from .device import DeviceModel, DeviceState, PlaybackState
from .faults import Fault, FaultState, PromptMode
from .profiles import Profile, ProfileError, list_profiles, load_profile

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
    "ShellResult",
    "Simulator",
    "list_profiles",
    "load_profile",
]
