"""The guided orientation (/orienter): questions, free text during the flow, ranked results.

flow.py (the typed state, importable by bot.state without a cycle), reading.py (one message),
ranking.py (eligibility and order), results.py (phone-sized replies), orientation.py (the steps).
"""
