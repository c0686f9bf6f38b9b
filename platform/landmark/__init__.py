"""landmark: one trainer for the landmark models of deep learning, each model a plugin."""

from landmark.plugin import PaperCard, Plugin, PluginError, Reported

__version__ = "0.1.0"
__all__ = ["Plugin", "PaperCard", "Reported", "PluginError", "__version__"]
