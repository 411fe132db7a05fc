"""Who may open the back-office: the DGE's agents and admins, and the DREETS agents (read-only, their region only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from activateurs.shared.contracts.vocabulary import Role

from .context import WebDep
from .signed_in import Account, signed_in_account

AGENT_ROLES = frozenset({Role.DGE_AGENT, Role.DGE_ADMIN, Role.DREETS_AGENT})
ACTING_ROLES = frozenset({Role.DGE_AGENT, Role.DGE_ADMIN})
HOME = "/administration"


class NotAllowed(Exception):
    """A signed-in person whose roles do not open this page: the 403 page says what it is for."""

    def __init__(self, needed: str) -> None:
        super().__init__(needed)
        self.needed = needed  # in French, who this page is for


@dataclass(frozen=True)
class Agent:
    """A signed-in agent: their account (its headers for every API) and what their roles let them do."""

    account: Account

    @property
    def headers(self) -> dict[str, str]:
        return self.account.headers

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.account.me.get("roles") or [])

    @property
    def can_act(self) -> bool:
        """Instructs and sanctions (the DGE); a DREETS agent only reads."""
        return bool(self.roles & ACTING_ROLES)

    @property
    def is_admin(self) -> bool:
        """Governs the programme: charter versions, questionnaire campaigns, partner keys."""
        return Role.DGE_ADMIN in self.roles

    @property
    def region(self) -> str | None:
        """The DREETS agent's region code (from their token); None for the DGE, who sees every region."""
        if self.can_act:
            return None
        claims: dict[str, Any] = self.account.session.claims
        return claims.get("region") or self.account.me.get("region")

    @property
    def subject(self) -> str | None:
        """Their token's subject: how validation names them in the steps they wrote (`dge_agent:<subject>`)."""
        return self.account.session.claims.get("sub")

    @property
    def name(self) -> str:
        return self.account.name or str(self.account.me.get("email") or "")


def is_agent(me: dict[str, Any]) -> bool:
    return bool(AGENT_ROLES & set(me.get("roles") or []))


async def signed_in_agent(request: Request, web: WebDep) -> Agent:
    """Any back-office reader; an activator's session gets the 403 page."""
    account = await signed_in_account(request, web)
    if not is_agent(account.me):
        raise NotAllowed("aux agents de la DGE et des DREETS")
    agent = Agent(account)
    request.state.agent = agent  # the back-office's menu shows what this agent may open
    return agent


async def acting_agent(request: Request, web: WebDep) -> Agent:
    """Who instructs and sanctions: the DGE (a DREETS agent reads only)."""
    agent = await signed_in_agent(request, web)
    if not agent.can_act:
        raise NotAllowed("aux agents de la DGE (les DREETS consultent sans agir)")
    return agent


async def admin_agent(request: Request, web: WebDep) -> Agent:
    """Who governs the programme: the DGE's admins."""
    agent = await signed_in_agent(request, web)
    if not agent.is_admin:
        raise NotAllowed("aux administrateurs du programme à la DGE")
    return agent


AgentSignedIn = Annotated[Agent, Depends(signed_in_agent)]
ActingAgent = Annotated[Agent, Depends(acting_agent)]
AdminAgent = Annotated[Agent, Depends(admin_agent)]
