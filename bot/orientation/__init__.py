"""The guided orientation (/orienter): questions, free text during the flow, ranked results."""

from bot.orientation.flow import Flow
from bot.orientation.orientation import Orientation, Services
from bot.orientation.reading import Vocabulary

__all__ = ["Flow", "Orientation", "Services", "Vocabulary"]
