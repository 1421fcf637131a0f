"""Knowledge base (农技知识) and ask-an-expert (专家问答): articles by commodity, season and topic;
questions asked on the web, by SMS or by an information station, answered by experts."""

from flask import Blueprint

bp = Blueprint("knowledge", __name__)

from app.knowledge import expert_routes, question_routes, routes  # noqa: E402,F401
