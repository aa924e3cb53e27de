#!/usr/bin/python3
"""Check the committed corpus against forms.md, independently of truth.py:
every fixture has exactly one of NAME.json / NAME.err, each .json is one line in
the shape `csprbot parse` prints, keys are the ones forms.md names for the kind
(and a table's `<date column>_time`, the time of day written in a date cell, HH:MM),
values are strings, dates are YYYY-MM-DD (or carry a warning), yes/no are yes|no.

usage: validate.py TESTDATA_DIR      exit 1 on any problem"""
import json
import os
import re
import sys

KEYS = {
    "referral": dict(
        fields="child_name date_of_referral referrer_name referrer_agency referrer_contact referrer_email "
               "dsl_name dsl_agency dsl_contact dsl_email child_dob home_address gender ethnic_origin religion "
               "disability looked_after cp_plan open_to_csc incident_date incident_kind incident_location "
               "carer_at_incident criminal_investigation coroner_inquiry adult_safeguarding siblings_action "
               "presenting_concerns case_history extended_family other_information reason_for_referral "
               "additional_information",
        tables={"family_members": "name_address relationship dob legal_status ethnic_origin group",
                "agencies": "agency contact email reason", "events": "when event"}),
    "scoping_return": dict(
        fields="case_ref child_initials agency completed_by role email phone date_completed child_known "
               "family_known family_members_known involvement_summary open_now records_secured "
               "immediate_concerns learning",
        tables={"involvement": "date person event outcome"}),
    "rapid_review_report": dict(
        fields="child_name date_of_rapid_review immediate_action immediate_action_details criteria discussion "
               "legal_advice learning_dissemination recommendation recommendation_other rationale "
               "date_submitted_to_panel",
        tables={"participants": "name role agency",
                "family_members": "name_address relationship dob legal_status ethnic_origin group"}),
    "chronology": dict(
        fields="child_initials agency completed_by role date_of_completion period_from period_to",
        tables={"entries": "date sender subject comms_within comms_external response source comment"}),
    "agency_report": dict(
        fields="child_initials agency completed_by role date_of_completion authorised_by period summary "
               "analysis lessons",
        tables={"actions": "issue action by_whom outcome evidence timescale"}),
}
DATES = {"date_of_referral", "child_dob", "incident_date", "date_completed", "date_of_rapid_review",
         "date_submitted_to_panel", "date_of_completion", "period_from", "period_to", "dob", "date", "when"}
YESNO = {"looked_after", "child_known", "family_known", "open_now", "records_secured", "immediate_action"}
ENUMS = {"incident_kind": {"death", "serious_harm"}, "group": {"immediate", "extended"},
         "recommendation": set("abcdefghij")}
CRITERIA = ["improvements_needed", "recurrent_themes", "multi_agency_concerns", "panel_local_review",
            "single_agency_concern", "no_agency_involvement", "cross_boundary", "institutional_setting", "none"]
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
REF = re.compile(r"^LSCP-\d{4}-\d{3}$")
DOC_EXT = {"docx", "odt", "pdf", "txt", "html", "doc"}


def check_value(where, key, v, warned, problems):
    if not isinstance(v, str):
        problems.append(f"{where}: {key} is not a string")
        return
    if v == "" or v != v.strip():
        problems.append(f"{where}: {key} empty or untrimmed")
    if key in DATES and not ISO.match(v) and not warned:
        problems.append(f"{where}: {key}={v!r} is no YYYY-MM-DD and there is no warning")
    if key in YESNO and v not in ("yes", "no"):
        problems.append(f"{where}: {key}={v!r} is not yes/no")
    if key in ENUMS and v not in ENUMS[key]:
        problems.append(f"{where}: {key}={v!r} not in {sorted(ENUMS[key])}")
    if (key == "email" or key.endswith("_email")) and not EMAIL.match(v):
        problems.append(f"{where}: {key}={v!r} is not an address alone")
    if key == "criteria":
        parts = v.split(",")
        if any(p not in CRITERIA for p in parts) or parts != sorted(parts, key=CRITERIA.index):
            problems.append(f"{where}: criteria {v!r} not in forms.md order/vocabulary")


def check_json(d, name, doc, problems):
    raw = open(os.path.join(d, name + ".json"), encoding="utf-8").read()
    if raw.count("\n") != 1 or not raw.endswith("\n"):
        problems.append(f"{name}.json: must be exactly one line")
    o = json.loads(raw)
    if list(o) != ["file", "kind", "case_ref", "fields", "tables", "warnings"]:
        problems.append(f"{name}.json: keys {list(o)}")
        return
    if o["file"] != doc:
        problems.append(f"{name}.json: file {o['file']!r} != {doc!r}")
    if o["case_ref"] and not REF.match(o["case_ref"]):
        problems.append(f"{name}.json: case_ref {o['case_ref']!r}")
    if not isinstance(o["fields"], dict) or not isinstance(o["tables"], dict) or not isinstance(o["warnings"], list):
        problems.append(f"{name}.json: fields/tables must be objects, warnings a list")
        return
    kind = o["kind"]
    warned = bool(o["warnings"])
    if kind == "unknown":
        if o["fields"] or o["tables"]:
            problems.append(f"{name}.json: unknown must have empty fields and tables")
        return
    if kind not in KEYS:
        problems.append(f"{name}.json: kind {kind!r}")
        return
    allowed = set(KEYS[kind]["fields"].split())
    for k, v in o["fields"].items():
        if k not in allowed:
            problems.append(f"{name}.json: field {k!r} not in forms.md for {kind}")
        check_value(name, k, v, warned, problems)
    if kind == "scoping_return" and o["fields"].get("case_ref", o["case_ref"]) != o["case_ref"]:
        problems.append(f"{name}.json: fields.case_ref differs from case_ref")
    for t, rows in o["tables"].items():
        if t not in KEYS[kind]["tables"]:
            problems.append(f"{name}.json: table {t!r} not in forms.md for {kind}")
            continue
        cols = set(KEYS[kind]["tables"][t].split())
        if not rows:
            problems.append(f"{name}.json: table {t} present but empty")
        for r in rows:
            if not r:
                problems.append(f"{name}.json: empty row in {t}")
            for k, v in r.items():
                if k.endswith("_time") and k[:-5] in cols and k[:-5] in DATES:
                    # the time of day written in a date cell, beside the date it belongs to
                    if k[:-5] not in r:
                        problems.append(f"{name}.json: {t}.{k} without {k[:-5]}")
                    if not isinstance(v, str) or not CLOCK.match(v):
                        problems.append(f"{name}.json: {t}.{k}={v!r} is not HH:MM")
                    continue
                if k not in cols:
                    problems.append(f"{name}.json: column {t}.{k} not in forms.md")
                check_value(f"{name} {t}", k, v, warned, problems)
    if o["fields"].get("incident_date") and "incident_kind" not in o["fields"]:
        problems.append(f"{name}.json: incident_date without incident_kind")


def main():
    d = sys.argv[1]
    problems = []
    files = sorted(f for f in os.listdir(d) if os.path.isfile(os.path.join(d, f)))
    docs = [f for f in files if f.rsplit(".", 1)[-1] in DOC_EXT]
    bases = {}
    for f in docs:
        base = f.rsplit(".", 1)[0]
        if base in bases:
            problems.append(f"two documents share the name {base}")
        bases[base] = f
    for f in files:
        base, ext = f.rsplit(".", 1) if "." in f else (f, "")
        if ext in ("json", "err", "password") and base not in bases:
            problems.append(f"{f}: no document beside it")
    counts = {}
    for base, doc in bases.items():
        has_json = os.path.exists(os.path.join(d, base + ".json"))
        has_err = os.path.exists(os.path.join(d, base + ".err"))
        if has_json == has_err:
            problems.append(f"{doc}: needs exactly one of .json and .err")
            continue
        if has_err:
            phrase = open(os.path.join(d, base + ".err"), encoding="utf-8").read().strip()
            if not phrase or "\n" in phrase:
                problems.append(f"{base}.err: one short phrase expected")
            counts["error"] = counts.get("error", 0) + 1
            continue
        check_json(d, base, doc, problems)
        kind = json.load(open(os.path.join(d, base + ".json")))["kind"]
        counts[kind] = counts.get(kind, 0) + 1
    for p in problems:
        print(p, file=sys.stderr)
    print("corpus:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
          f"; {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
