"""A local emulator of the Nano Banana Pro API (aiohttp + Pillow), with no Qt widgets."""

from .config import Faults, FaultSwitch, SandboxConfig
from .server import SANDBOX_KEY, Sandbox, SandboxThread

__all__ = ["SANDBOX_KEY", "FaultSwitch", "Faults", "Sandbox", "SandboxConfig", "SandboxThread"]
