"""Places (regions, departments, communes, postal codes) and the CRESS that serves them.

territory = Territory.load()
match = territory.find(normalize("je suis à Brest"))
card = territory.cress_card(territory.region_of(match.candidates[0]))
"""

from bot.territory.places import Place, PlaceMatch
from bot.territory.territory import Territory, default_territory

__all__ = ["Place", "PlaceMatch", "Territory", "default_territory"]
