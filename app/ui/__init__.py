"""The phone app's screens (Flet). `FieldLogApp` runs one session; the view
state in `forms` and `state` is plain Python, testable without a renderer."""

from .shell import FieldLogApp
from .state import default_data_dir

__all__ = ["FieldLogApp", "default_data_dir"]
