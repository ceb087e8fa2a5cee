"""atbt-scheduler: placement scheduling for Swedish AT and BT doctors in training."""

__version__ = "0.1.0"
