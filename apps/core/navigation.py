"""The main menu: each entry names the capability that shows it. Later apps add their entries."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    capability: str
    primary: bool = True  # False: under the "More" menu, to keep the bar on one line


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Summary"), "kpis:summary", "clipboard-data", "kpis.view_executive_summary"),
    NavItem(_("KPIs"), "kpis:dashboard", "speedometer2", "kpis.view_dashboard"),
    NavItem(_("Observations"), "observations:list", "eye", "observations.view"),
    NavItem(_("Audits"), "audits:list", "clipboard-check", "audits.view"),
    NavItem(_("Incidents"), "incidents:list", "exclamation-triangle", "incidents.view"),
    NavItem(_("Actions"), "actions:list", "list-check", "actions.view"),
    NavItem(_("Passes"), "contractors:pass_list", "person-vcard", "passes.view"),
    NavItem(_("Contractors"), "contractors:company_list", "building-gear", "contractors.view", primary=False),
    NavItem(_("Trainings"), "trainings:session_list", "mortarboard", "trainings.view", primary=False),
    NavItem(_("Competence matrix"), "trainings:matrix", "grid-3x3-gap", "trainings.view", primary=False),
    NavItem(_("Internships"), "internships:list", "person-workspace", "internships.view", primary=False),
    NavItem(_("Signals"), "internships:signal_list", "chat-square-heart", "internships.answer_signals", primary=False),
    NavItem(_("My scorecard"), "kpis:scorecard", "bullseye", "kpis.view_own_scorecard", primary=False),
    NavItem(_("Specialists' scorecards"), "kpis:scorecard_all", "people", "kpis.view_all_scorecards", primary=False),
    NavItem(_("Work queue"), "kpis:work_queue", "inboxes", "kpis.view_work_queue", primary=False),
    NavItem(_("Escalations"), "kpis:escalation_list", "signpost-split", "kpis.view_executive_summary", primary=False),
    NavItem(_("Monthly reports"), "kpis:report_list", "file-earmark-pdf", "kpis.view_executive_summary", primary=False),
    NavItem(_("Units"), "org:unit_list", "diagram-3", "org.view", primary=False),
    NavItem(_("People"), "org:person_list", "people", "org.view", primary=False),
    NavItem(_("Audit log"), "audit:entry_list", "journal-text", "audit.view_log", primary=False),
]


@dataclass(frozen=True)
class QuickLink:
    label: str
    url_name: str
    icon: str
    capability: str


# The home page's big buttons, per role, in the order each role needs them.
QUICK_LINKS: dict[str, list[QuickLink]] = {
    "hse_specialist": [
        QuickLink(_("Log an observation"), "observations:create", "eye", "observations.log"),
        QuickLink(_("My scorecard"), "kpis:scorecard", "bullseye", "kpis.view_own_scorecard"),
        QuickLink(_("My audit plan"), "audits:plan", "clipboard-check", "audits.conduct"),
        QuickLink(_("New action"), "actions:create", "plus-square", "actions.create"),
        QuickLink(_("Contractors"), "contractors:company_list", "building-gear", "contractors.view"),
        QuickLink(_("Gate check"), "contractors:gate", "qr-code-scan", "passes.check"),
        QuickLink(_("Internships"), "internships:list", "person-workspace", "internships.view"),
        QuickLink(_("Signals to answer"), "internships:signal_list", "chat-square-heart", "internships.answer_signals"),
        QuickLink(_("Trainings"), "trainings:session_list", "mortarboard", "trainings.view"),
        QuickLink(_("Competence matrix"), "trainings:matrix", "grid-3x3-gap", "trainings.view"),
        QuickLink(_("My units"), "org:unit_list", "diagram-3", "org.view"),
        QuickLink(_("People and foremen"), "org:person_list", "people", "org.view"),
        QuickLink(_("Audit log"), "audit:entry_list", "journal-text", "audit.view_log"),
    ],
    "hse_head": [
        QuickLink(_("Work queue"), "kpis:work_queue", "inboxes", "kpis.view_work_queue"),
        QuickLink(_("KPI dashboard"), "kpis:dashboard", "speedometer2", "kpis.view_dashboard"),
        QuickLink(_("Executive summary"), "kpis:summary", "clipboard-data", "kpis.view_executive_summary"),
        QuickLink(_("Specialists' scorecards"), "kpis:scorecard_all", "people", "kpis.view_all_scorecards"),
        QuickLink(_("Incidents and investigations"), "incidents:list", "exclamation-triangle", "incidents.view"),
        QuickLink(_("Observation figures"), "observations:stats", "graph-up", "observations.view"),
        QuickLink(_("Overdue actions"), "actions:list", "alarm", "actions.view"),
        QuickLink(_("Contractors"), "contractors:company_list", "building-gear", "contractors.view"),
        QuickLink(_("Access passes"), "contractors:pass_list", "person-vcard", "passes.view"),
        QuickLink(
            _("Signals from the floor"), "internships:signal_list", "chat-square-heart", "internships.answer_signals"
        ),
        QuickLink(_("Competence matrix"), "trainings:matrix", "grid-3x3-gap", "trainings.view"),
        QuickLink(_("Internal trainers"), "trainings:trainer_list", "easel2", "trainings.view"),
        QuickLink(_("Internships"), "internships:list", "person-workspace", "internships.view"),
        QuickLink(_("Units and hours worked"), "org:unit_list", "diagram-3", "org.view"),
        QuickLink(_("People and foremen"), "org:person_list", "people", "org.view"),
        QuickLink(_("Audit log"), "audit:entry_list", "journal-text", "audit.view_log"),
    ],
    "line_manager": [
        QuickLink(_("My units' KPIs"), "kpis:dashboard", "speedometer2", "kpis.view_dashboard"),
        QuickLink(_("Log a safety walk"), "observations:create", "eye", "observations.log"),
        QuickLink(_("My actions"), "actions:list", "list-check", "actions.view"),
        QuickLink(_("Competence matrix"), "trainings:matrix", "grid-3x3-gap", "trainings.view"),
        QuickLink(_("Trainings"), "trainings:session_list", "mortarboard", "trainings.view"),
        QuickLink(_("Internships in my units"), "internships:list", "person-workspace", "internships.view"),
        QuickLink(_("My units"), "org:unit_list", "diagram-3", "org.view"),
        QuickLink(_("My people"), "org:person_list", "people", "org.view"),
    ],
    "executive": [
        QuickLink(_("Executive summary"), "kpis:summary", "clipboard-data", "kpis.view_executive_summary"),
        QuickLink(_("Escalations"), "kpis:escalation_list", "signpost-split", "kpis.view_executive_summary"),
        QuickLink(_("Monthly reports"), "kpis:report_list", "file-earmark-pdf", "kpis.view_executive_summary"),
        QuickLink(_("KPI dashboard"), "kpis:dashboard", "speedometer2", "kpis.view_dashboard"),
        QuickLink(_("Competence matrix"), "trainings:matrix", "grid-3x3-gap", "trainings.view"),
        QuickLink(_("Internal trainers"), "trainings:trainer_list", "easel2", "trainings.view"),
        QuickLink(_("Enterprise structure"), "org:unit_list", "diagram-3", "org.view"),
        QuickLink(_("Audit log"), "audit:entry_list", "journal-text", "audit.view_log"),
    ],
    "pass_admin": [
        QuickLink(_("Gate check"), "contractors:gate", "qr-code-scan", "passes.check"),
        QuickLink(_("Issue a pass"), "contractors:pass_issue", "person-vcard", "passes.issue"),
        QuickLink(_("Pass list"), "contractors:pass_list", "card-list", "passes.view"),
        QuickLink(_("Contractors"), "contractors:company_list", "building-gear", "contractors.view"),
        QuickLink(_("Units on site"), "org:unit_list", "diagram-3", "org.view"),
        QuickLink(_("People on the rolls"), "org:person_list", "people", "org.view"),
    ],
    "system_admin": [
        QuickLink(_("Users and roles"), "admin:accounts_user_changelist", "person-gear", "org.manage"),
        QuickLink(_("Structural units"), "admin:org_structuralunit_changelist", "diagram-3", "org.manage"),
        QuickLink(_("People"), "admin:org_person_changelist", "people", "org.manage"),
        QuickLink(_("Audit log"), "audit:entry_list", "journal-text", "audit.view_log"),
    ],
}


def quick_links_for(user) -> list[dict]:
    from django.urls import reverse

    from apps.accounts.access import can

    return [
        {"label": link.label, "url": reverse(link.url_name), "icon": link.icon}
        for link in QUICK_LINKS.get(user.role, [])
        if can(user, link.capability)
    ]
