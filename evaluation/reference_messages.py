"""The CFIR 2.0 and ERIC reference names and definitions, marked for translation.

Migration 0002 stores them in English (``evaluation.models``); ``makemessages`` reads
this module so the catalogs hold them, and the models' ``label`` and ``description``
translate them when they are shown. Generated once from the migration's lists;
``tests/test_reference_messages.py`` proves it holds exactly the names and definitions
in the database, so a change to the reference data must change this module too.
"""

from django.utils.translation import gettext_noop

# CFIR 2.0 domains: name, then definition.
CFIR_DOMAINS = (
    # I
    gettext_noop("Innovation"),
    gettext_noop("The thing being implemented: the practice, programme or tool."),
    # II
    gettext_noop("Outer Setting"),
    gettext_noop("The wider world around the organization that takes the innovation up."),
    # III
    gettext_noop("Inner Setting"),
    gettext_noop("The organization or unit where the innovation is put into practice."),
    # IV
    gettext_noop("Individuals"),
    gettext_noop("The people involved, by the role they play and what drives their behaviour."),
    # V
    gettext_noop("Implementation Process"),
    gettext_noop("The activities through which the innovation is put into practice."),
)

# CFIR 2.0 constructs and sub-constructs, by code: name, then definition.
CFIR_CONSTRUCTS = (
    # I.A
    gettext_noop("Innovation Source"),
    gettext_noop("Who developed the innovation and how far they are trusted."),
    # I.B
    gettext_noop("Innovation Evidence-Base"),
    gettext_noop("How strong and credible the evidence for it seems."),
    # I.C
    gettext_noop("Innovation Relative Advantage"),
    gettext_noop("How much better it looks than current practice or alternatives."),
    # I.D
    gettext_noop("Innovation Adaptability"),
    gettext_noop("How easily it can be fitted to local needs."),
    # I.E
    gettext_noop("Innovation Trialability"),
    gettext_noop("Whether it can be tried on a small scale and undone."),
    # I.F
    gettext_noop("Innovation Complexity"),
    gettext_noop("How complicated it is: steps, parts, people and disruption."),
    # I.G
    gettext_noop("Innovation Design"),
    gettext_noop("How well it is packaged and presented to the people using it."),
    # I.H
    gettext_noop("Innovation Cost"),
    gettext_noop("What it costs to buy, run and keep going."),
    # II.A
    gettext_noop("Critical Incidents"),
    gettext_noop("Large unplanned events (e.g. a pandemic) that disrupt the work."),
    # II.B
    gettext_noop("Local Attitudes"),
    gettext_noop("How the surrounding community values and supports the innovation."),
    # II.C
    gettext_noop("Local Conditions"),
    gettext_noop("Economic, environmental and social conditions around the setting."),
    # II.D
    gettext_noop("Partnerships & Connections"),
    gettext_noop("Links with outside organizations that help or hinder."),
    # II.E
    gettext_noop("Policies & Laws"),
    gettext_noop("Legislation, regulation and guidance that bear on the work."),
    # II.F
    gettext_noop("Financing"),
    gettext_noop("Outside funding: grants, payment schemes, reimbursement."),
    # II.G
    gettext_noop("External Pressure"),
    gettext_noop("Pressure from outside to implement, from any of the sources below."),
    # II.G.1
    gettext_noop("Societal Pressure"),
    gettext_noop("Pressure from campaigns, media or public opinion."),
    # II.G.2
    gettext_noop("Market Pressure"),
    gettext_noop("Pressure from competitors or peer organizations moving first."),
    # II.G.3
    gettext_noop("Performance-Measurement Pressure"),
    gettext_noop("Pressure from targets, rankings and quality metrics."),
    # III.A
    gettext_noop("Structural Characteristics"),
    gettext_noop("The infrastructure the organization runs on."),
    # III.A.1
    gettext_noop("Physical Infrastructure"),
    gettext_noop("Buildings, layout and physical space."),
    # III.A.2
    gettext_noop("Information Technology Infrastructure"),
    gettext_noop("Systems for recording, sharing and analysing information."),
    # III.A.3
    gettext_noop("Work Infrastructure"),
    gettext_noop("How teams, tasks and staffing are organised."),
    # III.B
    gettext_noop("Relational Connections"),
    gettext_noop("Formal and informal relationships and networks inside and across units."),
    # III.C
    gettext_noop("Communications"),
    gettext_noop("How information is shared: meetings, channels, openness."),
    # III.D
    gettext_noop("Culture"),
    gettext_noop("Shared values, beliefs and norms of the setting."),
    # III.D.1
    gettext_noop("Human Equality-Centeredness"),
    gettext_noop("Valuing every person equally and acting on inequity."),
    # III.D.2
    gettext_noop("Recipient-Centeredness"),
    gettext_noop("Putting the needs of the people served first."),
    # III.D.3
    gettext_noop("Deliverer-Centeredness"),
    gettext_noop("Caring for the wellbeing and growth of staff who deliver."),
    # III.D.4
    gettext_noop("Learning-Centeredness"),
    gettext_noop("Encouraging reflection, learning and psychological safety."),
    # III.E
    gettext_noop("Tension for Change"),
    gettext_noop("How strongly people feel the current situation must change."),
    # III.F
    gettext_noop("Compatibility"),
    gettext_noop("How well the innovation fits existing work, values and systems."),
    # III.G
    gettext_noop("Relative Priority"),
    gettext_noop("How important implementing it is compared with other demands."),
    # III.H
    gettext_noop("Incentive Systems"),
    gettext_noop("Rewards, recognition and sanctions that encourage or discourage it."),
    # III.I
    gettext_noop("Mission Alignment"),
    gettext_noop("How closely it serves the organization's stated mission and goals."),
    # III.J
    gettext_noop("Available Resources"),
    gettext_noop("Resources set aside for implementing and delivering it."),
    # III.J.1
    gettext_noop("Funding"),
    gettext_noop("Money available for the work."),
    # III.J.2
    gettext_noop("Space"),
    gettext_noop("Physical room available for the work."),
    # III.J.3
    gettext_noop("Materials & Equipment"),
    gettext_noop("Supplies and equipment available for the work."),
    # III.K
    gettext_noop("Access to Knowledge & Information"),
    gettext_noop("Ease of getting guidance, training and answers about it."),
    # IV.A
    gettext_noop("High-level Leaders"),
    gettext_noop("Senior leaders with authority over the setting."),
    # IV.B
    gettext_noop("Mid-level Leaders"),
    gettext_noop("Managers and supervisors between senior leaders and staff."),
    # IV.C
    gettext_noop("Opinion Leaders"),
    gettext_noop("People whose views others follow, formally or informally."),
    # IV.D
    gettext_noop("Implementation Facilitators"),
    gettext_noop("People with expertise who help others implement."),
    # IV.E
    gettext_noop("Implementation Leads"),
    gettext_noop("People who lead the implementation effort."),
    # IV.F
    gettext_noop("Implementation Team Members"),
    gettext_noop("People who work together on implementing it."),
    # IV.G
    gettext_noop("Other Implementation Support"),
    gettext_noop("Others who support implementation in any way."),
    # IV.H
    gettext_noop("Innovation Deliverers"),
    gettext_noop("People who deliver the innovation day to day."),
    # IV.I
    gettext_noop("Innovation Recipients"),
    gettext_noop("People who receive or benefit from the innovation."),
    # IV.J
    gettext_noop("Need"),
    gettext_noop("The extent to which the people involved have needs it meets."),
    # IV.K
    gettext_noop("Capability"),
    gettext_noop("Whether they have the knowledge and skills to play their part."),
    # IV.L
    gettext_noop("Opportunity"),
    gettext_noop("Whether time, access and circumstances let them play it."),
    # IV.M
    gettext_noop("Motivation"),
    gettext_noop("Whether they are willing and committed to play it."),
    # V.A
    gettext_noop("Teaming"),
    gettext_noop("Working together as a team on implementation."),
    # V.B
    gettext_noop("Assessing Needs"),
    gettext_noop("Finding out what the people involved need and prefer."),
    # V.B.1
    # "Innovation Deliverers" is listed above
    gettext_noop("Assessing the needs of those who deliver it."),
    # V.B.2
    # "Innovation Recipients" is listed above
    gettext_noop("Assessing the needs of those who receive it."),
    # V.C
    gettext_noop("Assessing Context"),
    gettext_noop("Finding the barriers and facilitators of the setting."),
    # V.D
    gettext_noop("Planning"),
    gettext_noop("Setting out roles, tasks, timelines and goals in advance."),
    # V.E
    gettext_noop("Tailoring Strategies"),
    gettext_noop("Choosing and fitting strategies to the barriers found."),
    # V.F
    gettext_noop("Engaging"),
    gettext_noop("Drawing people into the work and keeping them involved."),
    # V.F.1
    # "Innovation Deliverers" is listed above
    gettext_noop("Engaging those who deliver it."),
    # V.F.2
    # "Innovation Recipients" is listed above
    gettext_noop("Engaging those who receive it."),
    # V.G
    gettext_noop("Doing"),
    gettext_noop("Carrying out the plan, step by step and in small tests."),
    # V.H
    gettext_noop("Reflecting & Evaluating"),
    gettext_noop("Gathering and discussing data and experience about progress."),
    # V.H.1
    gettext_noop("Implementation"),
    gettext_noop("Reflecting on how the implementation is going."),
    # V.H.2
    # "Innovation" is listed above
    gettext_noop("Reflecting on how the innovation itself is working."),
    # V.I
    gettext_noop("Adapting"),
    gettext_noop("Changing the innovation or the setting to improve the fit."),
)

# ERIC clusters (Waltz et al. 2015), by number.
ERIC_CLUSTERS = (
    gettext_noop("Use evaluative and iterative strategies"),  # 1
    gettext_noop("Provide interactive assistance"),  # 2
    gettext_noop("Adapt and tailor to context"),  # 3
    gettext_noop("Develop stakeholder interrelationships"),  # 4
    gettext_noop("Train and educate stakeholders"),  # 5
    gettext_noop("Support clinicians"),  # 6
    gettext_noop("Engage consumers"),  # 7
    gettext_noop("Utilize financial strategies"),  # 8
    gettext_noop("Change infrastructure"),  # 9
)

# ERIC strategies (Powell et al. 2015), by number: name, then definition.
ERIC_STRATEGIES = (
    # 1
    gettext_noop("Access new funding"),
    gettext_noop("Find new money to support the work."),
    # 2
    gettext_noop("Alter incentive/allowance structures"),
    gettext_noop("Change rewards so that doing the practice pays off."),
    # 3
    gettext_noop("Alter patient/consumer fees"),
    gettext_noop("Change what patients pay so that taking it up is easier."),
    # 4
    gettext_noop("Assess for readiness and identify barriers and facilitators"),
    gettext_noop("Check how ready the setting is and what helps or hinders."),
    # 5
    gettext_noop("Audit and provide feedback"),
    gettext_noop(
        "Measure performance over time and show the results to the people doing the work."
    ),
    # 6
    gettext_noop("Build a coalition"),
    gettext_noop("Bring partners together around the change."),
    # 7
    gettext_noop("Capture and share local knowledge"),
    gettext_noop("Collect what worked locally and pass it on to other sites."),
    # 8
    gettext_noop("Centralize technical assistance"),
    gettext_noop("Offer help from one central team to all sites."),
    # 9
    gettext_noop("Change accreditation or membership requirements"),
    gettext_noop("Get professional bodies to require the practice."),
    # 10
    gettext_noop("Change liability laws"),
    gettext_noop("Work to change liability rules that deter the practice."),
    # 11
    gettext_noop("Change physical structure and equipment"),
    gettext_noop("Adjust rooms, layout or equipment to suit the practice."),
    # 12
    gettext_noop("Change record systems"),
    gettext_noop("Adapt records so the practice can be documented and tracked."),
    # 13
    gettext_noop("Change service sites"),
    gettext_noop("Move where the service is delivered to improve access."),
    # 14
    gettext_noop("Conduct cyclical small tests of change"),
    gettext_noop("Try changes on a small scale in repeated PDSA cycles before spreading them."),
    # 15
    gettext_noop("Conduct educational meetings"),
    gettext_noop("Hold meetings that teach people about the practice."),
    # 16
    gettext_noop("Conduct educational outreach visits"),
    gettext_noop("Send a trained person to visit staff where they work and teach them."),
    # 17
    gettext_noop("Conduct local consensus discussions"),
    gettext_noop("Discuss locally whether and how to adopt the practice."),
    # 18
    gettext_noop("Conduct local needs assessment"),
    gettext_noop("Gather data on local needs for the change."),
    # 19
    gettext_noop("Conduct ongoing training"),
    gettext_noop("Keep training people over time, not once."),
    # 20
    gettext_noop("Create a learning collaborative"),
    gettext_noop("Bring teams from several sites together to learn and improve jointly."),
    # 21
    gettext_noop("Create new clinical teams"),
    gettext_noop("Change who is on a team to add the skills the practice needs."),
    # 22
    gettext_noop("Create or change credentialing and/or licensure standards"),
    gettext_noop("Set or change professional standards to include the practice."),
    # 23
    gettext_noop("Develop a formal implementation blueprint"),
    gettext_noop("Write a plan with goals, steps, scope, timeline and measures."),
    # 24
    gettext_noop("Develop academic partnerships"),
    gettext_noop("Work with universities to share training and research skills."),
    # 25
    gettext_noop("Develop an implementation glossary"),
    gettext_noop("Agree shared definitions of the terms used."),
    # 26
    gettext_noop("Develop and implement tools for quality monitoring"),
    gettext_noop("Create the tools needed to monitor quality."),
    # 27
    gettext_noop("Develop and organize quality monitoring systems"),
    gettext_noop("Set up the systems and routines that monitor quality."),
    # 28
    gettext_noop("Develop disincentives"),
    gettext_noop("Introduce consequences for not taking the practice up."),
    # 29
    gettext_noop("Develop educational materials"),
    gettext_noop("Write guides, manuals and toolkits about the practice."),
    # 30
    gettext_noop("Develop resource sharing agreements"),
    gettext_noop("Agree to share resources with partners."),
    # 31
    gettext_noop("Distribute educational materials"),
    gettext_noop("Send educational materials to the people who need them."),
    # 32
    gettext_noop("Facilitate relay of clinical data to providers"),
    gettext_noop("Get timely clinical data to the people delivering care."),
    # 33
    gettext_noop("Facilitation"),
    gettext_noop(
        "Support people through a process of problem solving in a supportive relationship."
    ),
    # 34
    gettext_noop("Fund and contract for the clinical innovation"),
    gettext_noop("Pay for the practice through funding and contracts."),
    # 35
    gettext_noop("Identify and prepare champions"),
    gettext_noop("Find and support people who will drive the change locally."),
    # 36
    gettext_noop("Identify early adopters"),
    gettext_noop("Find the first to adopt and learn from them."),
    # 37
    gettext_noop("Increase demand"),
    gettext_noop("Raise awareness among patients and the public so they ask for it."),
    # 38
    gettext_noop("Inform local opinion leaders"),
    gettext_noop("Brief influential people so they promote the practice."),
    # 39
    gettext_noop("Intervene with patients/consumers to enhance uptake and adherence"),
    gettext_noop("Help patients take part and keep going."),
    # 40
    gettext_noop("Involve executive boards"),
    gettext_noop("Involve governing boards in backing the change."),
    # 41
    gettext_noop("Involve patients/consumers and family members"),
    gettext_noop("Involve patients and families in the work."),
    # 42
    gettext_noop("Make billing easier"),
    gettext_noop("Simplify billing for the practice."),
    # 43
    gettext_noop("Make training dynamic"),
    gettext_noop("Use interactive and varied training methods."),
    # 44
    gettext_noop("Mandate change"),
    gettext_noop("Have leaders formally require the change."),
    # 45
    gettext_noop("Model and simulate change"),
    gettext_noop("Show or rehearse the change before doing it for real."),
    # 46
    gettext_noop("Obtain and use patients/consumers and family feedback"),
    gettext_noop("Ask patients and families what they think and act on it."),
    # 47
    gettext_noop("Obtain formal commitments"),
    gettext_noop("Get written commitments from partners to play their part."),
    # 48
    gettext_noop("Organize clinician implementation team meetings"),
    gettext_noop("Hold regular meetings of the implementation team to reflect and share."),
    # 49
    gettext_noop("Place innovation on fee for service lists/formularies"),
    gettext_noop("Put the practice on lists of reimbursable services."),
    # 50
    gettext_noop("Prepare patients/consumers to be active participants"),
    gettext_noop("Prepare patients to ask questions and take part."),
    # 51
    gettext_noop("Promote adaptability"),
    gettext_noop("Say which parts can be changed locally and which must stay."),
    # 52
    gettext_noop("Promote network weaving"),
    gettext_noop("Strengthen links between people and groups to spread information."),
    # 53
    gettext_noop("Provide clinical supervision"),
    gettext_noop("Give staff ongoing supervision focused on the practice."),
    # 54
    gettext_noop("Provide local technical assistance"),
    gettext_noop("Offer hands-on help on site."),
    # 55
    gettext_noop("Provide ongoing consultation"),
    gettext_noop("Offer continuing expert advice after training."),
    # 56
    gettext_noop("Purposely reexamine the implementation"),
    gettext_noop("Review progress on purpose and adjust."),
    # 57
    gettext_noop("Recruit, designate, and train for leadership"),
    gettext_noop("Find and train leaders for the change."),
    # 58
    gettext_noop("Remind clinicians"),
    gettext_noop("Prompt staff at the right moment to use the practice."),
    # 59
    gettext_noop("Revise professional roles"),
    gettext_noop("Change who does what so the practice fits."),
    # 60
    gettext_noop("Shadow other experts"),
    gettext_noop("Let staff observe experienced practitioners."),
    # 61
    gettext_noop("Stage implementation scale up"),
    gettext_noop("Start in a few sites and extend in phases."),
    # 62
    gettext_noop("Start a dissemination organization"),
    gettext_noop("Set up a body that spreads the practice."),
    # 63
    gettext_noop("Tailor strategies"),
    gettext_noop("Fit the strategies to the barriers and facilitators found."),
    # 64
    gettext_noop("Use advisory boards and workgroups"),
    gettext_noop("Set up groups that advise on and steer the work."),
    # 65
    gettext_noop("Use an implementation advisor"),
    gettext_noop("Get advice from an implementation expert."),
    # 66
    gettext_noop("Use capitated payments"),
    gettext_noop("Pay a set amount per person to cover care."),
    # 67
    gettext_noop("Use data experts"),
    gettext_noop("Get expert help to manage and use data."),
    # 68
    gettext_noop("Use data warehousing techniques"),
    gettext_noop("Bring data together so it can be analysed."),
    # 69
    gettext_noop("Use mass media"),
    gettext_noop("Use media to reach many people at once."),
    # 70
    gettext_noop("Use other payment schemes"),
    gettext_noop("Try other ways of paying that support the practice."),
    # 71
    gettext_noop("Use train-the-trainer strategies"),
    gettext_noop("Train people who then train others."),
    # 72
    gettext_noop("Visit other sites"),
    gettext_noop("Go and see sites that already do the practice well."),
    # 73
    gettext_noop("Work with educational institutions"),
    gettext_noop("Get schools and universities to teach the practice."),
)


MESSAGES: frozenset[str] = frozenset(
    CFIR_DOMAINS + CFIR_CONSTRUCTS + ERIC_CLUSTERS + ERIC_STRATEGIES
)
