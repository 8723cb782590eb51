"""Reference data: the CFIR 2.0 domains, constructs and sub-constructs, and the ERIC
implementation strategies with their clusters.

Sources (labels are the published names; every definition below is written for this
platform in its own words, not copied):

* CFIR 2.0 -- Damschroder LJ, Reardon CM, Opra Widerquist MA, Lowery J. The updated
  Consolidated Framework for Implementation Research based on user feedback.
  Implement Sci 2022;17:75. doi:10.1186/s13012-022-01245-0. Five domains, 48
  constructs and 19 sub-constructs (67 rows here): Innovation 8; Outer Setting 7 (+3
  under External Pressure); Inner Setting 11 (+3 Structural Characteristics, +4
  Culture, +3 Available Resources); Individuals 13 (9 roles, 4 characteristics);
  Implementation Process 9 (+2 Assessing Needs, +2 Engaging, +2 Reflecting &
  Evaluating).
* ERIC -- Powell BJ, Waltz TJ, Chinman MJ, et al. A refined compilation of
  implementation strategies: results from the Expert Recommendations for Implementing
  Change (ERIC) project. Implement Sci 2015;10:21. doi:10.1186/s13012-015-0209-1.
  73 strategies.
* Clusters -- Waltz TJ, Powell BJ, Matthieu MM, et al. Use of concept mapping to
  characterize relationships among implementation strategies and assess their
  feasibility and importance: results from the ERIC study. Implement Sci 2015;10:109.
  doi:10.1186/s13012-015-0295-0. Nine clusters; every strategy in exactly one.
"""

from django.db import migrations

DOMAINS = [
    (1, "I", "Innovation", "The thing being implemented: the practice, programme or tool."),
    (
        2,
        "II",
        "Outer Setting",
        "The wider world around the organization that takes the innovation up.",
    ),
    (
        3,
        "III",
        "Inner Setting",
        "The organization or unit where the innovation is put into practice.",
    ),
    (
        4,
        "IV",
        "Individuals",
        "The people involved, by the role they play and what drives their behaviour.",
    ),
    (
        5,
        "V",
        "Implementation Process",
        "The activities through which the innovation is put into practice.",
    ),
]

# (code, name, subdomain, definition); a code with two dots is a sub-construct of the
# construct whose code is its first two parts.
CONSTRUCTS = [
    # I. Innovation
    ("I.A", "Innovation Source", "", "Who developed the innovation and how far they are trusted."),
    ("I.B", "Innovation Evidence-Base", "", "How strong and credible the evidence for it seems."),
    ("I.C", "Innovation Relative Advantage", "", "How much better it looks than current practice or alternatives."),
    ("I.D", "Innovation Adaptability", "", "How easily it can be fitted to local needs."),
    ("I.E", "Innovation Trialability", "", "Whether it can be tried on a small scale and undone."),
    ("I.F", "Innovation Complexity", "", "How complicated it is: steps, parts, people and disruption."),
    ("I.G", "Innovation Design", "", "How well it is packaged and presented to the people using it."),
    ("I.H", "Innovation Cost", "", "What it costs to buy, run and keep going."),
    # II. Outer Setting
    ("II.A", "Critical Incidents", "", "Large unplanned events (e.g. a pandemic) that disrupt the work."),
    ("II.B", "Local Attitudes", "", "How the surrounding community values and supports the innovation."),
    ("II.C", "Local Conditions", "", "Economic, environmental and social conditions around the setting."),
    ("II.D", "Partnerships & Connections", "", "Links with outside organizations that help or hinder."),
    ("II.E", "Policies & Laws", "", "Legislation, regulation and guidance that bear on the work."),
    ("II.F", "Financing", "", "Outside funding: grants, payment schemes, reimbursement."),
    ("II.G", "External Pressure", "", "Pressure from outside to implement, from any of the sources below."),
    ("II.G.1", "Societal Pressure", "", "Pressure from campaigns, media or public opinion."),
    ("II.G.2", "Market Pressure", "", "Pressure from competitors or peer organizations moving first."),
    ("II.G.3", "Performance-Measurement Pressure", "", "Pressure from targets, rankings and quality metrics."),
    # III. Inner Setting
    ("III.A", "Structural Characteristics", "", "The infrastructure the organization runs on."),
    ("III.A.1", "Physical Infrastructure", "", "Buildings, layout and physical space."),
    ("III.A.2", "Information Technology Infrastructure", "", "Systems for recording, sharing and analysing information."),
    ("III.A.3", "Work Infrastructure", "", "How teams, tasks and staffing are organised."),
    ("III.B", "Relational Connections", "", "Formal and informal relationships and networks inside and across units."),
    ("III.C", "Communications", "", "How information is shared: meetings, channels, openness."),
    ("III.D", "Culture", "", "Shared values, beliefs and norms of the setting."),
    ("III.D.1", "Human Equality-Centeredness", "", "Valuing every person equally and acting on inequity."),
    ("III.D.2", "Recipient-Centeredness", "", "Putting the needs of the people served first."),
    ("III.D.3", "Deliverer-Centeredness", "", "Caring for the wellbeing and growth of staff who deliver."),
    ("III.D.4", "Learning-Centeredness", "", "Encouraging reflection, learning and psychological safety."),
    ("III.E", "Tension for Change", "", "How strongly people feel the current situation must change."),
    ("III.F", "Compatibility", "", "How well the innovation fits existing work, values and systems."),
    ("III.G", "Relative Priority", "", "How important implementing it is compared with other demands."),
    ("III.H", "Incentive Systems", "", "Rewards, recognition and sanctions that encourage or discourage it."),
    ("III.I", "Mission Alignment", "", "How closely it serves the organization's stated mission and goals."),
    ("III.J", "Available Resources", "", "Resources set aside for implementing and delivering it."),
    ("III.J.1", "Funding", "", "Money available for the work."),
    ("III.J.2", "Space", "", "Physical room available for the work."),
    ("III.J.3", "Materials & Equipment", "", "Supplies and equipment available for the work."),
    ("III.K", "Access to Knowledge & Information", "", "Ease of getting guidance, training and answers about it."),
    # IV. Individuals: roles
    ("IV.A", "High-level Leaders", "roles", "Senior leaders with authority over the setting."),
    ("IV.B", "Mid-level Leaders", "roles", "Managers and supervisors between senior leaders and staff."),
    ("IV.C", "Opinion Leaders", "roles", "People whose views others follow, formally or informally."),
    ("IV.D", "Implementation Facilitators", "roles", "People with expertise who help others implement."),
    ("IV.E", "Implementation Leads", "roles", "People who lead the implementation effort."),
    ("IV.F", "Implementation Team Members", "roles", "People who work together on implementing it."),
    ("IV.G", "Other Implementation Support", "roles", "Others who support implementation in any way."),
    ("IV.H", "Innovation Deliverers", "roles", "People who deliver the innovation day to day."),
    ("IV.I", "Innovation Recipients", "roles", "People who receive or benefit from the innovation."),
    # IV. Individuals: characteristics
    ("IV.J", "Need", "characteristics", "The extent to which the people involved have needs it meets."),
    ("IV.K", "Capability", "characteristics", "Whether they have the knowledge and skills to play their part."),
    ("IV.L", "Opportunity", "characteristics", "Whether time, access and circumstances let them play it."),
    ("IV.M", "Motivation", "characteristics", "Whether they are willing and committed to play it."),
    # V. Implementation Process
    ("V.A", "Teaming", "", "Working together as a team on implementation."),
    ("V.B", "Assessing Needs", "", "Finding out what the people involved need and prefer."),
    ("V.B.1", "Innovation Deliverers", "", "Assessing the needs of those who deliver it."),
    ("V.B.2", "Innovation Recipients", "", "Assessing the needs of those who receive it."),
    ("V.C", "Assessing Context", "", "Finding the barriers and facilitators of the setting."),
    ("V.D", "Planning", "", "Setting out roles, tasks, timelines and goals in advance."),
    ("V.E", "Tailoring Strategies", "", "Choosing and fitting strategies to the barriers found."),
    ("V.F", "Engaging", "", "Drawing people into the work and keeping them involved."),
    ("V.F.1", "Innovation Deliverers", "", "Engaging those who deliver it."),
    ("V.F.2", "Innovation Recipients", "", "Engaging those who receive it."),
    ("V.G", "Doing", "", "Carrying out the plan, step by step and in small tests."),
    ("V.H", "Reflecting & Evaluating", "", "Gathering and discussing data and experience about progress."),
    ("V.H.1", "Implementation", "", "Reflecting on how the implementation is going."),
    ("V.H.2", "Innovation", "", "Reflecting on how the innovation itself is working."),
    ("V.I", "Adapting", "", "Changing the innovation or the setting to improve the fit."),
]

CLUSTERS = [
    (1, "Use evaluative and iterative strategies"),
    (2, "Provide interactive assistance"),
    (3, "Adapt and tailor to context"),
    (4, "Develop stakeholder interrelationships"),
    (5, "Train and educate stakeholders"),
    (6, "Support clinicians"),
    (7, "Engage consumers"),
    (8, "Utilize financial strategies"),
    (9, "Change infrastructure"),
]

# (number, name, cluster number, definition), numbered alphabetically as in Powell 2015.
STRATEGIES = [
    (1, "Access new funding", 8, "Find new money to support the work."),
    (2, "Alter incentive/allowance structures", 8, "Change rewards so that doing the practice pays off."),
    (3, "Alter patient/consumer fees", 8, "Change what patients pay so that taking it up is easier."),
    (4, "Assess for readiness and identify barriers and facilitators", 1, "Check how ready the setting is and what helps or hinders."),
    (5, "Audit and provide feedback", 1, "Measure performance over time and show the results to the people doing the work."),
    (6, "Build a coalition", 4, "Bring partners together around the change."),
    (7, "Capture and share local knowledge", 4, "Collect what worked locally and pass it on to other sites."),
    (8, "Centralize technical assistance", 2, "Offer help from one central team to all sites."),
    (9, "Change accreditation or membership requirements", 9, "Get professional bodies to require the practice."),
    (10, "Change liability laws", 9, "Work to change liability rules that deter the practice."),
    (11, "Change physical structure and equipment", 9, "Adjust rooms, layout or equipment to suit the practice."),
    (12, "Change record systems", 9, "Adapt records so the practice can be documented and tracked."),
    (13, "Change service sites", 9, "Move where the service is delivered to improve access."),
    (14, "Conduct cyclical small tests of change", 1, "Try changes on a small scale in repeated PDSA cycles before spreading them."),
    (15, "Conduct educational meetings", 5, "Hold meetings that teach people about the practice."),
    (16, "Conduct educational outreach visits", 5, "Send a trained person to visit staff where they work and teach them."),
    (17, "Conduct local consensus discussions", 4, "Discuss locally whether and how to adopt the practice."),
    (18, "Conduct local needs assessment", 1, "Gather data on local needs for the change."),
    (19, "Conduct ongoing training", 5, "Keep training people over time, not once."),
    (20, "Create a learning collaborative", 5, "Bring teams from several sites together to learn and improve jointly."),
    (21, "Create new clinical teams", 6, "Change who is on a team to add the skills the practice needs."),
    (22, "Create or change credentialing and/or licensure standards", 9, "Set or change professional standards to include the practice."),
    (23, "Develop a formal implementation blueprint", 1, "Write a plan with goals, steps, scope, timeline and measures."),
    (24, "Develop academic partnerships", 4, "Work with universities to share training and research skills."),
    (25, "Develop an implementation glossary", 4, "Agree shared definitions of the terms used."),
    (26, "Develop and implement tools for quality monitoring", 1, "Create the tools needed to monitor quality."),
    (27, "Develop and organize quality monitoring systems", 1, "Set up the systems and routines that monitor quality."),
    (28, "Develop disincentives", 8, "Introduce consequences for not taking the practice up."),
    (29, "Develop educational materials", 5, "Write guides, manuals and toolkits about the practice."),
    (30, "Develop resource sharing agreements", 6, "Agree to share resources with partners."),
    (31, "Distribute educational materials", 5, "Send educational materials to the people who need them."),
    (32, "Facilitate relay of clinical data to providers", 6, "Get timely clinical data to the people delivering care."),
    (33, "Facilitation", 2, "Support people through a process of problem solving in a supportive relationship."),
    (34, "Fund and contract for the clinical innovation", 8, "Pay for the practice through funding and contracts."),
    (35, "Identify and prepare champions", 4, "Find and support people who will drive the change locally."),
    (36, "Identify early adopters", 4, "Find the first to adopt and learn from them."),
    (37, "Increase demand", 7, "Raise awareness among patients and the public so they ask for it."),
    (38, "Inform local opinion leaders", 4, "Brief influential people so they promote the practice."),
    (39, "Intervene with patients/consumers to enhance uptake and adherence", 7, "Help patients take part and keep going."),
    (40, "Involve executive boards", 4, "Involve governing boards in backing the change."),
    (41, "Involve patients/consumers and family members", 7, "Involve patients and families in the work."),
    (42, "Make billing easier", 8, "Simplify billing for the practice."),
    (43, "Make training dynamic", 5, "Use interactive and varied training methods."),
    (44, "Mandate change", 9, "Have leaders formally require the change."),
    (45, "Model and simulate change", 4, "Show or rehearse the change before doing it for real."),
    (46, "Obtain and use patients/consumers and family feedback", 1, "Ask patients and families what they think and act on it."),
    (47, "Obtain formal commitments", 4, "Get written commitments from partners to play their part."),
    (48, "Organize clinician implementation team meetings", 4, "Hold regular meetings of the implementation team to reflect and share."),
    (49, "Place innovation on fee for service lists/formularies", 8, "Put the practice on lists of reimbursable services."),
    (50, "Prepare patients/consumers to be active participants", 7, "Prepare patients to ask questions and take part."),
    (51, "Promote adaptability", 3, "Say which parts can be changed locally and which must stay."),
    (52, "Promote network weaving", 4, "Strengthen links between people and groups to spread information."),
    (53, "Provide clinical supervision", 2, "Give staff ongoing supervision focused on the practice."),
    (54, "Provide local technical assistance", 2, "Offer hands-on help on site."),
    (55, "Provide ongoing consultation", 5, "Offer continuing expert advice after training."),
    (56, "Purposely reexamine the implementation", 1, "Review progress on purpose and adjust."),
    (57, "Recruit, designate, and train for leadership", 4, "Find and train leaders for the change."),
    (58, "Remind clinicians", 6, "Prompt staff at the right moment to use the practice."),
    (59, "Revise professional roles", 6, "Change who does what so the practice fits."),
    (60, "Shadow other experts", 5, "Let staff observe experienced practitioners."),
    (61, "Stage implementation scale up", 1, "Start in a few sites and extend in phases."),
    (62, "Start a dissemination organization", 9, "Set up a body that spreads the practice."),
    (63, "Tailor strategies", 3, "Fit the strategies to the barriers and facilitators found."),
    (64, "Use advisory boards and workgroups", 4, "Set up groups that advise on and steer the work."),
    (65, "Use an implementation advisor", 4, "Get advice from an implementation expert."),
    (66, "Use capitated payments", 8, "Pay a set amount per person to cover care."),
    (67, "Use data experts", 3, "Get expert help to manage and use data."),
    (68, "Use data warehousing techniques", 3, "Bring data together so it can be analysed."),
    (69, "Use mass media", 7, "Use media to reach many people at once."),
    (70, "Use other payment schemes", 8, "Try other ways of paying that support the practice."),
    (71, "Use train-the-trainer strategies", 5, "Train people who then train others."),
    (72, "Visit other sites", 4, "Go and see sites that already do the practice well."),
    (73, "Work with educational institutions", 5, "Get schools and universities to teach the practice."),
]


def load(apps, schema_editor):
    Domain = apps.get_model("evaluation", "CfirDomain")
    Construct = apps.get_model("evaluation", "CfirConstruct")
    Cluster = apps.get_model("evaluation", "EricCluster")
    Strategy = apps.get_model("evaluation", "EricStrategy")
    domains = {}
    for number, roman, name, definition in DOMAINS:
        domains[roman] = Domain.objects.create(
            number=number, roman=roman, name=name, definition=definition
        )
    by_code = {}
    for position, (code, name, subdomain, definition) in enumerate(CONSTRUCTS, start=1):
        parts = code.split(".")
        parent = by_code[".".join(parts[:2])] if len(parts) == 3 else None
        by_code[code] = Construct.objects.create(
            domain=domains[parts[0]],
            parent=parent,
            code=code,
            name=name,
            subdomain=subdomain,
            definition=definition,
            position=position,
        )
    clusters = {n: Cluster.objects.create(number=n, name=name) for n, name in CLUSTERS}
    for number, name, cluster, definition in STRATEGIES:
        Strategy.objects.create(
            number=number, name=name, definition=definition, cluster=clusters[cluster]
        )


def unload(apps, schema_editor):
    for model in ("EricStrategy", "EricCluster", "CfirConstruct", "CfirDomain"):
        manager = apps.get_model("evaluation", model).objects
        if model == "CfirConstruct":
            manager.filter(parent__isnull=False).delete()
        manager.all().delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
