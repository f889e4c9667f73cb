"""The template's contracts that cfn-lint and checkov do not know, checked on
the parsed template rather than its text: the alarms watch the metrics the
function emits (src/lambda/metrics.rs), a daily schedule sends
{"resume": true}, the function may remove its leases (DESIGN.md, "Nothing
fails silently"); s3:ListBucket is limited to the zone's prefix, and the
scheduler's role and the access-log bucket carry aws:SourceArn conditions.

Run by `bash infra/deploy.sh --check`; exits 1 naming each broken rule.

    python scripts/check_template.py [infra/template.yaml]
"""

import json
import re
import sys
from pathlib import Path

from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parent.parent
METRICS_RS = ROOT / "src" / "lambda" / "metrics.rs"


def rust_const(name):
    """A `pub const NAME: &str = "...";` of the metrics module: the template
    must name what the code emits."""
    found = re.search(rf'pub const {name}: &str = "([^"]+)";', METRICS_RS.read_text())
    if not found:
        sys.exit(f"check_template: no const {name} in {METRICS_RS}")
    return found.group(1)


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "infra" / "template.yaml"
    template, matches = decode(str(path))
    if matches:
        sys.exit(f"check_template: {path} does not parse: {matches}")
    resources = template["Resources"]
    namespace = rust_const("NAMESPACE")
    age_metric = rust_const("COMPLETE_AGE")
    problems = []

    def alarm_on(metric):
        return [
            (name, r["Properties"])
            for name, r in resources.items()
            if r["Type"] == "AWS::CloudWatch::Alarm"
            and r["Properties"].get("MetricName") == metric
            and r["Properties"].get("Namespace") == namespace
        ]

    def dims_are_function(props):
        dims = props.get("Dimensions", [])
        return len(dims) == 1 and dims[0]["Name"] == "FunctionName" and dims[0]["Value"] == {"Ref": "Function"}

    partial = alarm_on("Partial")
    if not partial:
        problems.append(f"no alarm on {namespace}/Partial (a run that ended partial)")
    for name, props in partial:
        if not dims_are_function(props):
            problems.append(f"{name}: must watch the dimension FunctionName = the stack's function")
        if props.get("Threshold") != 1 or props.get("ComparisonOperator") != "GreaterThanOrEqualToThreshold":
            problems.append(f"{name}: must fire on one partial run (>= 1)")
        if not props.get("AlarmActions"):
            problems.append(f"{name}: has no AlarmActions")

    stale = alarm_on(age_metric)
    if not stale:
        problems.append(f"no alarm on {namespace}/{age_metric} (no complete snapshot for days)")
    for name, props in stale:
        if not dims_are_function(props):
            problems.append(f"{name}: must watch the dimension FunctionName = the stack's function")
        if props.get("TreatMissingData") != "breaching":
            problems.append(f"{name}: a day with no age reported must count as stale (TreatMissingData: breaching)")
        if int(props.get("Period", 0)) * int(props.get("EvaluationPeriods", 0)) > 8 * 86400:
            problems.append(f"{name}: looks back more than 8 days")
        if not props.get("AlarmActions"):
            problems.append(f"{name}: has no AlarmActions")
    default_days = template["Parameters"].get("StaleSnapshotDays", {}).get("Default")
    if default_days != 8:
        problems.append(f"StaleSnapshotDays defaults to {default_days!r}, not 8")

    resumes = [
        name
        for name, r in resources.items()
        if r["Type"] == "AWS::Scheduler::Schedule"
        and json.loads(r["Properties"]["Target"].get("Input", "{}")) == {"resume": True}
        and r["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["Function", "Arn"]}
    ]
    if not resumes:
        problems.append('no schedule invokes the function with {"resume": true}')
    for name in resumes:
        expr = template["Parameters"]["ResumeScheduleExpression"]["Default"]
        if not expr.startswith("cron(") or len(expr.split()) != 6 or expr.split()[2] != "*":
            problems.append(f"{name}: the default resume schedule {expr!r} is not daily")

    deletes = set()
    for policy in resources["FunctionRole"]["Properties"]["Policies"]:
        for st in policy["PolicyDocument"]["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            if "s3:DeleteObject" in actions:
                res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                deletes.update(json.dumps(r, sort_keys=True) for r in res)
    for lease in ("${RawBucket.Arn}/raw/_lease/*", "${LakeBucket.Arn}/lake/_lease/*"):
        if json.dumps({"Fn::Sub": lease}, sort_keys=True) not in deletes:
            problems.append(f"the function may not delete its leases: no s3:DeleteObject on {lease}")

    # s3:ListBucket only under the zone's own prefix.
    for zone, bucket in (("raw", "RawBucket"), ("lake", "LakeBucket")):
        listing = [
            st
            for policy in resources["FunctionRole"]["Properties"]["Policies"]
            for st in policy["PolicyDocument"]["Statement"]
            if st["Action"] == "s3:ListBucket" and st["Resource"] == {"Fn::GetAtt": [bucket, "Arn"]}
        ]
        for st in listing:
            prefixes = st.get("Condition", {}).get("StringLikeIfExists", {}).get("s3:prefix", [])
            if sorted(prefixes) != sorted([zone, f"{zone}/*"]):
                problems.append(f"s3:ListBucket on {bucket} is not limited to the prefix {zone}/ (got {prefixes})")
        if not listing:
            problems.append(f"no s3:ListBucket on {bucket} (a missing object's 404 needs it)")

    # Confused-deputy guards: the scheduler's role and the access-log bucket
    # accept only this stack's schedules and buckets.
    trust = resources["SchedulerRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    if not all("aws:SourceArn" in st.get("Condition", {}).get("StringEquals", {}) for st in trust):
        problems.append("SchedulerRole: its trust policy has no aws:SourceArn condition")
    logging = [
        st
        for st in resources["AccessLogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if st.get("Principal") == {"Service": "logging.s3.amazonaws.com"}
    ]
    if not logging:
        problems.append("AccessLogBucketPolicy: no statement for logging.s3.amazonaws.com")
    for st in logging:
        if "aws:SourceArn" not in st.get("Condition", {}).get("ArnEquals", {}):
            problems.append(f"AccessLogBucketPolicy {st.get('Sid')}: no aws:SourceArn condition")

    # The operator's view: every Lambda setting of src/config/lambda_env.rs is a
    # template parameter, a named query per file of queries/, a scan limit,
    # and a dashboard of metrics the function emits.
    config_rs = (ROOT / "src" / "config" / "lambda_env.rs").read_text()
    lambda_vars = re.search(r"pub const LAMBDA_VARS: &\[&str\] = &\[(.*?)\];", config_rs, re.S)
    names = re.findall(r'"([A-Z_]+)"', lambda_vars.group(1)) if lambda_vars else []
    if not names:
        problems.append("no LAMBDA_VARS list in src/config/lambda_env.rs")
    env = resources["Function"]["Properties"]["Environment"]["Variables"]
    for name in names:
        if name not in env:
            problems.append(f"Function: the setting {name} is not in its environment")
        elif name not in ("LAKE_URL", "RAW_URL", "CATALOG", "SPOTIFY_SECRET_ARN") and not json.dumps(env[name]).count('"Ref"'):
            problems.append(f"Function: {name} is not set from a template parameter")
    queries = sorted(p.stem for p in (ROOT / "queries").glob("*.sql"))
    named = sorted(
        r["Properties"]["Name"] for r in resources.values() if r["Type"] == "AWS::Athena::NamedQuery"
    )
    if named != queries:
        problems.append(f"named queries {named} are not the files of queries/ {queries}")
    for r in resources.values():
        if r["Type"] == "AWS::Athena::NamedQuery":
            q = r["Properties"]["QueryString"]
            if r["Properties"]["Name"] not in q:
                problems.append(f"named query {r['Properties']['Name']} does not read its view: {q}")
    workgroup = resources["AthenaWorkGroup"]["Properties"]["WorkGroupConfiguration"]
    if "BytesScannedCutoffPerQuery" not in workgroup:
        problems.append("AthenaWorkGroup: no BytesScannedCutoffPerQuery")
    dashboards = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    if not dashboards:
        problems.append("no CloudWatch dashboard")
    metrics_rs = METRICS_RS.read_text()
    for d in dashboards:
        body, values = d["Properties"]["DashboardBody"]["Fn::Sub"]
        text = body.replace("${AWS::Region}", "us-east-1")
        for key in values:
            text = text.replace("${" + key + "}", "8" if key == "Stale" else "fn")
        try:
            widgets = json.loads(text)["widgets"]
        except ValueError as e:
            problems.append(f"the dashboard body is not JSON: {e}")
            continue
        shown = set()
        for w in widgets:
            previous = None
            for m in w["properties"]["metrics"]:
                # "." repeats the row above's value (CloudWatch's shorthand).
                row = [p if p != "." or previous is None else previous[i] for i, p in enumerate(m)]
                if row[0] == namespace:
                    shown.add(row[1])
                previous = row
        for metric in sorted(shown):
            if f'"{metric}"' not in metrics_rs:
                problems.append(f"the dashboard shows {namespace}/{metric}, which src/lambda/metrics.rs does not emit")
        for wanted in ("Requests", "AlbumsFetched", "AlbumsReused", "Rows", "Partial", "PendingArtists", "Seconds"):
            if wanted not in shown:
                problems.append(f"the dashboard lacks {namespace}/{wanted}")

    if problems:
        print(f"check_template: {path}:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        sys.exit(1)
    print(
        f"check_template: alarms {[n for n, _ in partial + stale]}, resume schedule {resumes},"
        " lease deletes, ListBucket prefixes, aws:SourceArn guards, settings, named queries, scan limit,"
        " dashboard: ok"
    )


if __name__ == "__main__":
    main()
