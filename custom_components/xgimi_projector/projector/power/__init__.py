"""Power: turn on from deep standby with a smart plug, turn off safely, know the true phase.

The facts that shape this package (``docs/xgimi.md`` §2.3, §3):

* "关机" is suspend-to-RAM. Android is ``Asleep`` at once and about 14 s later the network is
  down: nothing over the network can wake it.
* "关屏" (screen off) only switches the light off; Android stays ``Awake`` and reachable, and ADB
  cannot tell it from "on". Only the plug's power draw can.
* With 上电自动开机 enabled, restoring mains boots the projector. After a soft power-off the
  plug is still on, so it must be *re-armed*: off for ~10 s, then on.
* Cutting mains while Android runs (on, 关屏, or the seconds while it suspends) pulls the cord
  of a running system. Mains is cut only after ADB has been unreachable for a while and, with a
  power sensor, the draw sits at the standby level.

A projector in standby still hears its remote (BLE, or IR on some models): a
:class:`WakeAction` that sends that wake turns it on without touching mains, with the plug as
the fallback when the projector does not answer.

:class:`PowerManager` runs those sequences (:mod:`.sequences`) against a :class:`Plug` (any
object that can switch and, optionally, read watts; the Home Assistant integration wraps a
``switch`` entity) and a :class:`~..projector.Projector`, one job at a time, as
:mod:`.arbitration`'s table says. Every wait is on a :class:`Clock`, so tests drive it on
virtual time.

Modules: :mod:`.clock` (time), :mod:`.draw` (thresholds, draw levels), :mod:`.phase` (phases
and results), :mod:`.plug`, :mod:`.wake` (the wake action), :mod:`.settings`,
:mod:`.arbitration`, :mod:`.sequences`, :mod:`.pending` (a power-on a restart must finish),
:mod:`.manager`.
"""

from .arbitration import TABLE, Action, Job, JobKind, JobPhase, Request, decide
from .clock import SYSTEM_CLOCK, Clock, Deadline, Dwell, SystemClock
from .draw import MIN_CALIBRATION_GAP_W, DrawLevel, DrawTracker, PowerThresholds
from .manager import PowerManager
from .pending import PendingPowerOn
from .phase import POWERING_ON, PowerOffResult, PowerOnResult, PowerPhase, observed_phase
from .plug import Plug
from .settings import PowerSettings
from .wake import PowerOnPath, WakeAction

__all__ = [
    "MIN_CALIBRATION_GAP_W",
    "POWERING_ON",
    "SYSTEM_CLOCK",
    "TABLE",
    "Action",
    "Clock",
    "Deadline",
    "DrawLevel",
    "DrawTracker",
    "Dwell",
    "Job",
    "JobKind",
    "JobPhase",
    "PendingPowerOn",
    "Plug",
    "PowerManager",
    "PowerOffResult",
    "PowerOnPath",
    "PowerOnResult",
    "PowerPhase",
    "PowerSettings",
    "PowerThresholds",
    "Request",
    "SystemClock",
    "WakeAction",
    "decide",
    "observed_phase",
]
