"""The phone app's screens (Flet). `FieldLogApp` runs one session; the view
state beside `views/` (`pin_gate`, `home`, `history`, `forms`, `caseload`,
`team`...) is plain Python, testable without a renderer."""

from .pin_gate import default_data_dir
from .shell import FieldLogApp

__all__ = ["FieldLogApp", "default_data_dir"]
