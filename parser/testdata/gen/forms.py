"""The forms: their titles, labels (official first, then the rewordings people use
when they retype a form) and the order of their parts. The official wording follows
the guidance's appendices; Appendix 3's body follows parser/schema.go."""

TITLES = {
    "referral": "REFERRAL OF A SERIOUS INCIDENT FORM",
    "scoping_return": "Rapid Review Initial Scoping and Information Sharing",
    "rapid_review_report": "REPORT OF RAPID REVIEW DECISIONS AND RECOMMENDATIONS FOR SUBMISSION TO NATIONAL CHILD SAFEGUARDING PRACTICE REVIEW PANEL",
    "chronology": "INFORMATION-SHARING CHRONOLOGY",
    "agency_report": "AGENCY REPORT CSPR/LOCAL LEARNING REVIEW",
}
# What a person retyping the form tends to call it.
RETYPED_TITLES = {
    "referral": "Referral of a serious incident – Lewisham Safeguarding Children Partnership",
    "scoping_return": "Initial Scoping and Information Sharing – return",
    "rapid_review_report": "Rapid Review Report",
    "chronology": "Information-sharing chronology",
    "agency_report": "Agency Report – CSPR / Local Learning Review",
}

LABELS = {
    "referral": {
        "child_name": ["Name of Child", "Name of child", "Child's name", "Child"],
        "date_of_referral": ["Date of Referral", "Referral date", "Date referred"],
        "referrer_name": ["Name", "Referrer name", "Name of referrer", "Referrer"],
        "referrer_agency": ["AGENCY & DESIGNATION/TITLE", "Referrer agency and role", "Referrer's agency & designation"],
        "referrer_contact": ["CONTACT DETAILS – Address, telephone number and e-mail address", "Referrer contact details", "Referrer's contact details"],
        "referrer_email": ["Email", "Referrer email", "Referrer's e-mail"],
        "dsl_name": ["Name", "DSL name", "Designated safeguarding lead"],
        "dsl_agency": ["AGENCY & DESIGNATION/TITLE", "DSL agency and role", "DSL agency & designation"],
        "dsl_contact": ["CONTACT DETAILS – Address, telephone number and e-mail address", "DSL contact details", "DSL's contact details"],
        "dsl_email": ["Email", "DSL email", "DSL e-mail"],
        "child_dob": ["Date of Birth", "DOB", "Child's date of birth", "D.O.B."],
        "home_address": ["Home address", "Address", "Child's home address"],
        "gender": ["Gender", "Sex", "Gender"],
        "ethnic_origin": ["Ethnic Origin", "Ethnicity", "Ethnic origin"],
        "religion": ["Faith/Religion", "Religion", "Faith"],
        "disability": ["Disability", "Any disability", "Disabilities"],
        "looked_after": ["Is the child/young person looked after?", "Looked after child", "Looked after?"],
        "cp_plan": ["Is the child/young person subject to a child protection plan or has been previously? (If so when, for what and for how long?)", "Child protection plan (current or previous)", "CP plan"],
        "open_to_csc": ["Is the child/young person open to Children’s Social Care or a Children & Families Practice (if so, who is the lead practitioner)?", "Open to Children's Social Care", "Open to CSC"],
        "incident": ["Date of Death or Serious Incident (please specific which)", "Date of Death or Serious Incident (please specify which)", "Date and type of incident"],
        "incident_location": ["Address of location of incident", "Location of incident", "Where the incident happened"],
        "carer_at_incident": ["Carer at time of incident", "Carer at the time of the incident", "Who was caring for the child"],
        "criminal_investigation": ["Is this case known to be the subject of a criminal investigation? (If so, who is the lead investigator?)", "Criminal investigation", "Criminal investigation / lead investigator"],
        "coroner_inquiry": ["Is this case known to be the subject of a Coroner’s Inquiry? (If so, who is the key contact?)", "Coroner's inquiry", "Coroner"],
        "adult_safeguarding": ["Are there any adult safeguarding concerns and have these been shared via completing an Adult referral form? (If so, who is the key contact?)", "Adult safeguarding concerns", "Adult safeguarding"],
        "siblings_action": ["What action has been undertaken to safeguard and protect any siblings of the child who is the subject of this referral?", "Action taken to safeguard siblings", "Siblings"],
        "presenting_concerns": ["Presenting Concerns", "Presenting concerns", "Concerns"],
        "case_history": ["Case History", "Case history", "History"],
        "extended_family": ["Extended Family Involvement (as required)", "Extended family involvement", "Extended family"],
        "other_information": ["Any Other Relevant Information", "Other relevant information", "Other information"],
        "reason_for_referral": ["Please outline why you are making this referral", "Reason for referral", "Why are you making this referral?"],
        "additional_information": ["Please add any additional information you think may be relevant and may assist decision-making", "Additional information", "Anything else"],
    },
    "scoping_return": {
        "case_ref": ["Case reference", "Reference", "LSCP reference"],
        "child_initials": ["Child's anonymised initials", "Child's initials", "Initials"],
        "agency": ["Agency", "Name of agency", "Organisation"],
        "completed_by": ["Completed by", "Name of person completing", "Your name"],
        "role": ["Role", "Job title", "Designation"],
        "email": ["Email", "E-mail address", "Email address"],
        "phone": ["Telephone", "Telephone number", "Contact number"],
        "date_completed": ["Date completed", "Date of completion", "Completed on"],
        "child_known": ["Did your agency have any involvement with the child?", "Is the child known to your agency?", "Child known to agency"],
        "family_known": ["Did your agency have any involvement with any named family member?", "Are any family members known to your agency?", "Family known to agency"],
        "family_members_known": ["Which family members are known to your agency?", "Known family members", "Family members known"],
        "involvement_summary": ["Summary of your agency's involvement", "Summary of involvement", "Brief summary of involvement"],
        "open_now": ["Is your agency currently involved with the child or family?", "Currently open", "Current involvement"],
        "records_secured": ["Have all records been secured?", "Records secured", "Records / files secured"],
        "immediate_concerns": ["Are there any immediate safeguarding concerns or actions needed?", "Immediate safeguarding concerns", "Immediate concerns"],
        "learning": ["Any early learning identified by your agency", "Early learning", "Learning identified"],
    },
    "rapid_review_report": {
        "child_name": ["Name of Child", "Child's name", "Name of child"],
        "date_of_rapid_review": ["Date of Rapid Review", "Rapid review date", "Date of the Rapid Review meeting"],
        "immediate_action": ["Has ALL appropriate immediate action been taken to ensure children’s safety and share any learning appropriately?", "Immediate action taken?", "Has all immediate action been taken?"],
        "immediate_action_details": ["Please give details of action taken. If no, what actions need to be taken? When will these be taken and by whom?", "Details of action taken", "Action details"],
        "criteria": ["Those present at the Rapid Review have considered whether to carry out a local child safeguarding practice review and have agreed that the case has the potential to meet the following criteria: Tick all that are relevant.", "Criteria met (tick all that apply)", "Criteria"],
        "discussion": ["Record of Rapid Review discussion and case analysis against the criteria for statutory review processes.", "Rapid Review discussion", "Discussion"],
        "legal_advice": ["Has legal advice been sought? If yes, please give details.", "Legal advice sought?", "Legal advice"],
        "learning_dissemination": ["Learning and Dissemination (please provide a record of plans to disseminate learning from the review)", "Learning and dissemination", "Dissemination of learning"],
        "recommendation": ["After completing this Rapid Review it has been agreed that this case:", "Recommendation", "Recommendation (tick one)"],
        "rationale": ["Rationale for Recommendation.", "Rationale for recommendation", "Rationale"],
        "date_submitted_to_panel": ["Date this form submitted to the National Panel", "Date submitted to the National Panel", "Submitted to National Panel on"],
    },
    "chronology": {
        "child_name": ["Child’s Name", "Child's name", "Name"],
        "child_initials": ["Child’s Anonymised Initials", "Child's initials", "Initials"],
        "child_dob": ["Child’s Date of Birth", "Child's DOB", "DOB"],
        "agency": ["Agency Completing Chronology", "Agency", "Agency completing"],
        "completed_by": ["Completed by", "Completed by (name)", "Author"],
        "role": ["Role", "Job title", "Role of author"],
        "date_of_completion": ["Date of Completion", "Date completed", "Completed on"],
        "authorised_by": ["Authorised by: (if required)", "Authorised by", "Authorised by"],
        "authoriser_role": ["Role", "Authoriser's role", "Authoriser role"],
        "period": ["Dates covered by this Chronology", "Period covered", "Dates covered"],
    },
    "agency_report": {
        "child_name": ["Child’s Name", "Child's name", "Name of child"],
        "child_initials": ["Child’s Anonymised Initials", "Child's initials", "Anonymised initials"],
        "child_dob": ["Child’s Date of Birth", "Child's DOB", "DOB"],
        "agency": ["Agency Completing Chronology", "Agency", "Agency completing this report"],
        "completed_by": ["Completed by", "Author", "Report written by"],
        "role": ["Role", "Job title", "Author's role"],
        "date_of_completion": ["Date of Completion", "Date completed", "Completed on"],
        "authorised_by": ["Authorised by: (if required)", "Authorised by", "Signed off by"],
        "authoriser_role": ["Role", "Authoriser's role", "Role of authoriser"],
        "period": ["Dates covered by this Agency Report", "Period covered", "Dates covered by this report"],
        "summary": ["3 SUMMARY OF INVOLVEMENT", "Summary of involvement", "Summary"],
        "analysis": ["4 ANALYSIS OF INVOLVEMENT", "Analysis of involvement", "Analysis"],
        "lessons": ["5 ARE THERE LESSONS LEARNED?", "Lessons learned", "Are there lessons learned?"],
    },
}

FAMILY_COLS = [
    ("name_address", ["Name and Address", "Name & address", "Name and address"]),
    ("relationship", ["Relationship to Child", "Relationship", "Relationship to child"]),
    ("dob", ["Date of Birth", "DOB", "D.O.B."]),
    ("legal_status", ["Legal Status", "Legal status", "Status"]),
    ("ethnic_origin", ["Ethnic Origin", "Ethnicity", "Ethnic origin"]),
]

TABLES = {
    "referral": {
        "family_members": ("1.2 Details of Family Members and any Significant Others", FAMILY_COLS),
        "agencies": ("1.3 Other agencies known to be involved", [
            ("agency", ["Agency", "Agency", "Organisation"]),
            ("contact", ["Contact Details: Address, Telephone and E-mail", "Contact details", "Contact"]),
            ("reason", ["Reason for involvement ( inc. whether current or not)", "Reason for involvement", "Why involved (current?)"]),
        ]),
        "events": ("Please use the chronology table below to outline any events around the time of the incident.", [
            ("when", ["Date & Time:", "Date/time", "When"]),
            ("event", ["Event:", "Event", "What happened"]),
        ]),
    },
    "scoping_return": {
        "involvement": ("Key involvement (most recent first)", [
            ("date", ["Date", "Date", "Date"]),
            ("person", ["Person (child or family member)", "Person", "Who"]),
            ("event", ["Contact / event", "Event", "Contact"]),
            ("outcome", ["Outcome", "Action / outcome", "Result"]),
        ]),
    },
    "rapid_review_report": {
        "participants": ("List of Participants in Rapid Review:", [
            ("name", ["Name", "Name", "Participant"]),
            ("role", ["Job Role/Title", "Role", "Job title"]),
            ("agency", ["Agency/Organisation", "Agency", "Organisation"]),
        ]),
        "family_members": ("1.1 Details of Family Members and Significant Others", FAMILY_COLS),
    },
    "chronology": {
        "entries": ("Chronology", [
            ("date", ["Date\nYou must use an American date format 2021/03/27", "Date", "Date (yyyy/mm/dd)"]),
            ("sender", ["Inform sent cross borough Sender\nSpecify who has sent the communication, their role and role with the family (where required).", "Sender", "From"]),
            ("subject", ["Information sent cross borough Subject\nSpecify who the information was about, type of information sent and details as required.", "Subject", "About"]),
            ("comms_within", ["Comms Within Agency\nSpecify whether phone or email; written comms or cross-borough meeting.", "Comms within agency", "Internal comms"]),
            ("comms_external", ["Comms External to Agency\nSpecify phone or email; written communication or cross-borough meeting", "Comms external to agency", "External comms"]),
            ("response", ["Response or outcome\nNote type of response received, any outcome or actions noted for completion in this response. Indicate if actions carried out.", "Response or outcome", "Response"]),
            ("source", ["Source of Evidence\nWhere communication records are taken from.", "Source of evidence", "Source"]),
            ("comment", ["Comment\nProvide any relevant comment about the timeliness, purpose or impact of communication for the child/young person.", "Comment", "Comments"]),
        ]),
    },
    "agency_report": {
        "actions": ("7.1 Actions", [
            ("issue", ["Issue:", "Issue", "Issue"]),
            ("action", ["Action:", "Action", "Action"]),
            ("by_whom", ["By whom:", "By whom", "Owner"]),
            ("outcome", ["Outcome Sought:", "Outcome sought", "Outcome"]),
            ("evidence", ["Evidence of implementation:", "Evidence of implementation", "Evidence"]),
            ("timescale", ["Timescale:", "Timescale", "By when"]),
        ]),
    },
}

CRITERIA = [
    ("improvements_needed", "highlights or may highlight improvements needed to safeguard and promote the welfare of children, including where those improvements have been previously identified"),
    ("recurrent_themes", "highlights or may highlight recurrent themes in the safeguarding and promotion of the welfare of children"),
    ("multi_agency_concerns", "highlights or may highlight concerns regarding two or more organisations or agencies working together effectively to safeguard and promote the welfare of children"),
    ("panel_local_review", "is one which the Child Safeguarding Practice Review Panel have considered and concluded a local review may be more appropriate"),
    ("single_agency_concern", "safeguarding partners have cause for concern about the actions of a single agency"),
    ("no_agency_involvement", "there has been no agency involvement and this gives the safeguarding partners cause for concern"),
    ("cross_boundary", "more than one local authority, police area or clinical commissioning group is involved, including in cases where families have moved around"),
    ("institutional_setting", "the case may raise issues relating to safeguarding or promoting the welfare of children in institutional settings"),
    ("none", "None of the above"),
]

RECOMMENDATIONS = [
    ("a", "a) Meets the criteria for a national Child Safeguarding Practice Review"),
    ("b", "b) Meets the criteria for a local Child Safeguarding Practice Review"),
    ("c", "c) Does not meet the criteria but warrants an alternative Learning Review"),
    ("d", "d) Warrants consideration of DHR, SAR, MAPPA SFO or other"),
    ("e", "e) Warrants a Single-Agency Review"),
    ("f", "f) Warrants a Multi-Agency Audit"),
    ("g", "g) Warrants a Single Agency Audit"),
    ("h", "h) Needs no Further Action"),
    ("i", "i) The Rapid Review has identified learning that has been acted upon, obviating the need for further review"),
    ("j", "j) Other"),
]

# The order of each form's parts.
#   ("title",), ("para", text), ("heading", text), ("kv", caption, [keys]),
#   ("long", key), ("table", name), ("choices", key)
STRUCTURE = {
    "referral": [
        ("title",),
        ("para", "Serious child safeguarding cases are those in which: the child has died or been seriously harmed and abuse or neglect of a child is known or suspected."),
        ("heading", "Background Information"),
        ("kv", None, ["child_name", "date_of_referral"]),
        ("kv", "Agency Referral Author:", ["referrer_name", "referrer_agency", "referrer_contact", "referrer_email"]),
        ("kv", "Please give the details of the designated safeguarding lead/officer with whom you have discussed the case.", ["dsl_name", "dsl_agency", "dsl_contact", "dsl_email"]),
        ("heading", "Section 1: Brief overview of child and family composition"),
        ("kv", "1.1 Child’s Details", ["child_name", "child_dob", "home_address", "gender", "ethnic_origin", "religion", "disability", "looked_after", "cp_plan", "open_to_csc", "incident", "incident_location", "carer_at_incident", "criminal_investigation", "coroner_inquiry", "adult_safeguarding"]),
        ("table", "family_members"),
        ("long", "siblings_action"),
        ("table", "agencies"),
        ("heading", "Section 2: Case Background"),
        ("para", "Please provide a brief outline of the child and family circumstances and the incident that triggered this referral:"),
        ("long", "presenting_concerns"),
        ("long", "case_history"),
        ("long", "extended_family"),
        ("long", "other_information"),
        ("long", "reason_for_referral"),
        ("table", "events"),
        ("long", "additional_information"),
        ("heading", "Section 3: Advice and Submission of this Form"),
        ("para", "This form should be submitted to both of the following addresses: mashagency@lewisham.gov.uk (Lewisham MASH) and safeguardingpartnership@lewisham.gov.uk (LSCP)."),
    ],
    "scoping_return": [
        ("title",),
        ("para", "Potential Child Safeguarding Practice Review. Please return this form to safeguardingpartnership@lewisham.gov.uk by 5pm on the date in our letter."),
        ("kv", None, ["case_ref", "child_initials"]),
        ("heading", "About you"),
        ("kv", None, ["agency", "completed_by", "role", "email", "phone", "date_completed"]),
        ("heading", "Involvement"),
        ("kv", None, ["child_known", "family_known", "family_members_known"]),
        ("long", "involvement_summary"),
        ("table", "involvement"),
        ("kv", None, ["open_now", "records_secured"]),
        ("long", "immediate_concerns"),
        ("long", "learning"),
    ],
    "rapid_review_report": [
        ("title",),
        ("heading", "Background Information"),
        ("kv", None, ["child_name", "date_of_rapid_review"]),
        ("table", "participants"),
        ("heading", "Section 1: Case Background"),
        ("table", "family_members"),
        ("heading", "Section 2: Consideration of Case, Criteria and Guidance"),
        ("heading", "2.1 Immediate Action"),
        ("kv", None, ["immediate_action"]),
        ("long", "immediate_action_details"),
        ("heading", "2.2 Identifying Improvements to Safeguard and Promote the Welfare of Children"),
        ("choices", "criteria"),
        ("heading", "2.3 Rapid Review Discussions"),
        ("long", "discussion"),
        ("long", "legal_advice"),
        ("long", "learning_dissemination"),
        ("heading", "Section 3: Recommendation"),
        ("choices", "recommendation"),
        ("long", "rationale"),
        ("kv", None, ["date_submitted_to_panel"]),
    ],
    "chronology": [
        ("title",),
        ("kv", None, ["child_name", "child_initials", "child_dob", "agency", "completed_by", "role", "date_of_completion", "authorised_by", "authoriser_role", "period"]),
        ("para", "Chronology Guidance: 1. Please do not change the width of any of the columns. 2. Please do not remove or add columns."),
        ("table", "entries"),
    ],
    "agency_report": [
        ("title",),
        ("kv", None, ["child_name", "child_initials", "child_dob", "agency", "completed_by", "role", "date_of_completion", "authorised_by", "authoriser_role", "period"]),
        ("heading", "1 INTRODUCTION"),
        ("para", "Within the context of Working Together (2018) guidance, the purpose of this Agency Report is to establish what lessons are to be learned from the case."),
        ("long", "summary"),
        ("long", "analysis"),
        ("long", "lessons"),
        ("heading", "7 RECOMMENDATIONS FOR ACTION"),
        ("table", "actions"),
    ],
}

# Keys printed on a form that are not part of the output for that kind.
NOT_OUTPUT = {
    "chronology": {"child_name", "child_dob", "authorised_by", "authoriser_role"},
    "agency_report": {"child_name", "child_dob", "authoriser_role"},
}


# Keys the official layout prints only when a case answers them (the official
# referral asks for the email inside "CONTACT DETAILS").
OPTIONAL_KEYS = {"referrer_email", "dsl_email"}


def label(kind, key, case):
    if key in case.labels:
        return case.labels[key]
    opts = LABELS[kind][key]
    return opts[min(case.labelset, len(opts) - 1)]


def col_label(kind, table, col, case):
    k = f"{table}.{col}"
    if k in case.labels:
        return case.labels[k]
    for c, opts in TABLES[kind][table][1]:
        if c == col:
            return opts[min(case.labelset, len(opts) - 1)]
    raise KeyError(k)
