"""The orientation's results, sized for a phone: three schemes with one line why and the next
step; the other schemes, the copyable summary and the CRESS card each behind a button."""

from __future__ import annotations

from collections.abc import Callable

from bot.answers import entry_button
from bot.messages import Messages
from bot.orientation.ranking import Profile, Ranking, Recommendation
from bot.orientation.reading import Vocabulary
from bot.replies import Block, Button, Reply
from bot.territory import Territory

SHOWN_FIRST = 3


class Results:
    def __init__(self, messages: Messages, vocabulary: Vocabulary, territory: Callable[[], Territory]) -> None:
        self.messages = messages
        self.vocabulary = vocabulary
        self.territory = territory

    def first(self, profile: Profile, ranking: Ranking, place: str | None, before: list[Block]) -> Reply:
        shown = ranking.chosen[:SHOWN_FIRST]
        blocks = [*before, Block(self.messages("orientation_result_intro", profile=self.profile_text(profile, place)))]
        blocks += self._schemes(shown, profile, start=1)
        if not shown:
            blocks.append(Block(self.messages("orientation_no_result")))
        if ranking.excluded:
            lines = "\n".join(f"• {x.entry.eligibility.exclusion}" for x in ranking.excluded if x.entry.eligibility)
            blocks.append(Block(lines, title=self.messages("orientation_excluded")))
        rest = len(ranking.chosen) - len(shown)
        buttons = [entry_button(rec.entry) for rec in shown]
        if rest > 0:
            buttons.append(Button(self.messages("button_more", count=rest), "o:more"))
        buttons += [*self._after_buttons(), Button(self.messages("button_back"), "o:back")]
        return self._reply(blocks, buttons, shown)

    def more(self, profile: Profile, ranking: Ranking) -> Reply:
        rest = ranking.chosen[SHOWN_FIRST:]
        if not rest:
            return self._reply([Block(self.messages("orientation_no_more"))], self._after_buttons(), [])
        blocks = [Block(self.messages("orientation_more_intro"))]
        blocks += self._schemes(rest, profile, start=SHOWN_FIRST + 1)
        return self._reply(blocks, [*(entry_button(rec.entry) for rec in rest), *self._after_buttons()], rest)

    def summary(self, profile: Profile, ranking: Ranking, place: str | None) -> Reply:
        names = ", ".join(rec.entry.name for rec in ranking.chosen) or "-"
        text = self.messages("orientation_summary", profile=self.profile_text(profile, place), schemes=names)
        return self._reply([Block(text)], self._after_buttons(), [])

    def cress(self, region: str | None) -> Reply:
        key = "orientation_cress" if region else "orientation_cress_no_place"
        return Reply(blocks=(Block(self.messages(key)),), cards=(self.territory().cress_card(region),),
                     buttons=tuple(self._after_buttons()), matched=True, intent="orientation", confidence=1.0)

    def profile_text(self, profile: Profile, place: str | None) -> str:
        labels = [self.vocabulary.label("who", profile.who)]
        if profile.employees:
            labels.append(self.vocabulary.label("employees", profile.employees))
        labels += [self.vocabulary.label("stage", profile.stage), self.vocabulary.label("need", profile.need)]
        return " · ".join([*labels, *([place] if place else [])])

    def why(self, rec: Recommendation, profile: Profile, first: bool) -> str:
        values = {"who": profile.who, "employees": profile.employees, "stage": profile.stage,
                  "project": profile.project}
        who = " ".join(self.vocabulary.why(r, value) for r in rec.reasons if (value := values.get(r)))
        need = ""
        if rec.need is not None:
            key = "orientation_why_need" if rec.need == profile.need else "orientation_why_also_need"
            need = self.messages(key, need=self.vocabulary.why("need", rec.need))
        return self.messages("orientation_why_first" if first else "orientation_why", profile=who, need=need)

    def _schemes(self, recs: list[Recommendation], profile: Profile, start: int) -> list[Block]:
        blocks = []
        said: set[str] = set()
        for number, rec in enumerate(recs, start=start):
            reason = self.why(rec, profile, first=False)
            # The same reason twice reads like a form: say what the scheme is instead.
            line = rec.entry.summary if reason in said else self.why(rec, profile, first=number == 1)
            blocks.append(self._scheme(number, rec, line))
            said.add(reason)
        return blocks

    def _scheme(self, number: int, rec: Recommendation, why: str) -> Block:
        lines = [why]
        if rec.entry.status.state == "uncertain":
            lines.append(self.messages("orientation_uncertain"))
        if rec.entry.next_step:
            lines.append(self.messages("next_step", text=rec.entry.next_step))
        return Block("\n".join(lines), title=f"{number}. {rec.entry.name}")

    def _after_buttons(self) -> list[Button]:
        return [
            Button(self.messages("button_summary"), "o:summary"),
            Button(self.messages("button_result_cress"), "o:cress"),
            Button(self.messages("button_restart"), "o:start"),
        ]

    @staticmethod
    def _reply(blocks: list[Block], buttons: list[Button], shown: list[Recommendation]) -> Reply:
        return Reply(
            blocks=tuple(blocks),
            buttons=tuple(buttons),
            matched=True,
            intent="orientation",
            confidence=1.0,
            sources=tuple(s.ref for rec in shown for s in rec.entry.sources),
        )
