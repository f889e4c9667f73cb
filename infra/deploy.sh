#!/usr/bin/env bash
# Deploy spotify-lake as a weekly AWS Lambda in one command, or (--check) run
# the offline checks of the deployment: the Lambda build, cfn-lint, the
# alarms and resume schedule (scripts/check_template.py) and checkov on
# infra/template.yaml. See README.md, "The weekly Lambda on AWS".
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash infra/deploy.sh [OPTIONS]
       bash infra/deploy.sh --check [--no-build] [--x86-64]

Builds the Lambda zip (cargo lambda, arm64 by default, feature `aws` only:
no query engine),
uploads it to S3 under a content-hashed key, deploys infra/template.yaml with
`aws cloudformation deploy` and prints the stack outputs. Re-running with no
change is a no-op; options not given keep the stack's current values.

Deploy options:
  --stack NAME              stack name, also the function and workgroup name
                            (default: spotify-lake)
  --region REGION           AWS region (default: AWS_REGION, AWS_DEFAULT_REGION
                            or the profile's region)
  --artists LIST            artists, a JSON array ('["Bruno Mars", "Adele"]') or
                            comma-separated names or ids; required on first deploy
  --playlists LIST          playlist ids or URLs, same forms; '' clears them
  --market CC               Spotify market (default GB)
  --include-groups LIST     album groups: album, single, compilation, appears_on
                            (default album)
  --playlist-artists BOOL   also extract the playlists' artists (default false)
  --concurrency N           Spotify requests in flight (default 4)
  --reuse-days N            days an album body is reused before a refetch (default 364)
  --max-requests N          request budget of a run, 0 = none (default 0)
  --max-wait-seconds N      longest Retry-After waited out (default 60)
  --lease-minutes N         a writer's lease is stale after N minutes (default 20)
  --projection BOOL         Athena partition projection (default false)
  --scan-limit-bytes N      Athena bytes scanned per query at most (default 10 GiB)
  --database NAME           Glue database (default spotify_lake)
  --memory MB               Lambda memory (default 512)
  --schedule EXPR           schedule expression (default 'cron(42 17 ? * THU *)')
  --timezone TZ             schedule time zone (default Europe/London)
  --schedule-state STATE    ENABLED or DISABLED (default ENABLED)
  --raw-retention-days N    days raw snapshots are kept, 0 = forever (default 90)
  --alarm-email ADDR        e-mail subscribed to the alarms ('' = none)
  --parameter KEY=VALUE     any other template parameter; repeatable
  --code-bucket BUCKET      bucket for the zip (default: <stack>-artifacts-<account>-<region>,
                            created if missing)
  --zip FILE                deploy this zip instead of building one

Build options (deploy and --check):
  --arm64                   build for arm64 / Graviton (default)
  --x86-64                  build for x86_64 and deploy Architecture=x86_64
  --no-build                with --check: skip the build

  --check                   offline checks only: build, cfn-lint, the alarms and
                            resume schedule (scripts/check_template.py), checkov;
                            exits non-zero if any fails. Python tools come from
                            PY=/path/to/python (with cfn-lint and checkov), else
                            the venv .ci/run uses (built here if missing).
  -h, --help                this help

Needs: Rust (rustup), python3 (installs cargo-lambda and ziglang from PyPI into
a venv when `cargo lambda` is missing), and for deploying the AWS CLI v2 with
credentials (aws configure, AWS_PROFILE or SSO).
EOF
}

cd "$(dirname "$0")/.."
ROOT=$PWD
TEMPLATE=infra/template.yaml
CACHE="${SPOTIFY_LAKE_CACHE:-$HOME/.cache/spotify-lake}"
BIN_NAME=spotify-lake

STACK=spotify-lake
REGION=""
ARCH=arm64
CHECK=0
BUILD=1
ZIP=""
CODE_BUCKET=""
OVERRIDES=()

die() { echo "deploy.sh: $*" >&2; exit 1; }
usage_error() { echo "deploy.sh: $*" >&2; echo "Try: bash infra/deploy.sh --help" >&2; exit 2; }
step() { printf '\n=== %s\n' "$*"; }

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

while [ $# -gt 0 ]; do
  arg=$1
  shift
  value=""
  case $arg in
    --*=*) value=${arg#*=}; arg=${arg%%=*}; set -- "$value" "$@" ;;
  esac
  case $arg in
    --stack|--region|--artists|--playlists|--market|--database|--memory|--schedule|--timezone|\
    --schedule-state|--raw-retention-days|--alarm-email|--parameter|--code-bucket|--zip|\
    --include-groups|--playlist-artists|--concurrency|--reuse-days|--max-requests|\
    --max-wait-seconds|--lease-minutes|--projection|--scan-limit-bytes)
      [ $# -gt 0 ] || usage_error "$arg needs a value"
      value=$1
      shift ;;
  esac
  case $arg in
    -h|--help) usage; exit 0 ;;
    --check) CHECK=1 ;;
    --no-build) BUILD=0 ;;
    --arm64) ARCH=arm64 ;;
    --x86-64|--x86_64) ARCH=x86_64 ;;
    --stack) STACK=$value ;;
    --region) REGION=$value ;;
    --code-bucket) CODE_BUCKET=$value ;;
    --zip) ZIP=$value; BUILD=0 ;;
    --artists)
      [ -n "$value" ] || usage_error "--artists needs at least one artist"
      OVERRIDES+=("Artists=$value") ;;
    --playlists) OVERRIDES+=("Playlists=$value") ;;
    --market) OVERRIDES+=("Market=$value") ;;
    --include-groups) OVERRIDES+=("IncludeGroups=$value") ;;
    --playlist-artists) OVERRIDES+=("PlaylistArtists=$value") ;;
    --concurrency) OVERRIDES+=("Concurrency=$value") ;;
    --reuse-days) OVERRIDES+=("ReuseDays=$value") ;;
    --max-requests) OVERRIDES+=("MaxRequests=$value") ;;
    --max-wait-seconds) OVERRIDES+=("MaxWaitSeconds=$value") ;;
    --lease-minutes) OVERRIDES+=("LeaseMinutes=$value") ;;
    --projection) OVERRIDES+=("Projection=$value") ;;
    --scan-limit-bytes) OVERRIDES+=("AthenaScanLimitBytes=$value") ;;
    --database) OVERRIDES+=("GlueDatabaseName=$value") ;;
    --memory) OVERRIDES+=("MemorySize=$value") ;;
    --schedule) OVERRIDES+=("ScheduleExpression=$value") ;;
    --timezone) OVERRIDES+=("ScheduleTimezone=$value") ;;
    --schedule-state) OVERRIDES+=("ScheduleState=$value") ;;
    --raw-retention-days) OVERRIDES+=("RawRetentionDays=$value") ;;
    --alarm-email) OVERRIDES+=("AlarmEmail=$value") ;;
    --parameter)
      case $value in
        *=*) OVERRIDES+=("$value") ;;
        *) usage_error "--parameter expects KEY=VALUE, got '$value'" ;;
      esac ;;
    *) usage_error "unknown option '$arg'" ;;
  esac
done

if [ -z "$REGION" ]; then
  REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
fi

# ------------------------------------------------------------------ build

# Both return non-zero (after saying why) instead of exiting, so --check can
# report every failure; each step is chained because `set -e` does not apply
# inside a function called from `||`.
ensure_cargo_lambda() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "deploy.sh: cargo not found: install Rust with rustup (https://rustup.rs), then re-run" >&2
    return 1
  fi
  if cargo lambda --version >/dev/null 2>&1; then
    return 0
  fi
  # cargo-lambda and zig from PyPI (infra/requirements.txt), in a venv kept
  # under the cache and rebuilt when the pins change.
  if ! command -v python3 >/dev/null 2>&1; then
    echo "deploy.sh: cargo lambda is missing and there is no python3 to install it with" >&2
    return 1
  fi
  local venv
  venv="$CACHE/deploy-venv-$(sha256 infra/requirements.txt | cut -c1-16)"
  if [ ! -f "$venv/.complete" ]; then
    echo "installing cargo-lambda and ziglang (infra/requirements.txt) into $venv"
    if ! { rm -rf "$venv" \
        && python3 -m venv "$venv" \
        && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r infra/requirements.txt \
        && touch "$venv/.complete"; }; then
      echo "deploy.sh: installing cargo-lambda into $venv failed" >&2
      return 1
    fi
  fi
  # cargo finds `cargo-lambda` on PATH; cargo-lambda finds zig as
  # `python3 -m ziglang`, the venv's python3.
  export PATH="$venv/bin:$PATH"
  if ! cargo lambda --version >/dev/null 2>&1; then
    echo "deploy.sh: cargo lambda still not found after installing it into $venv" >&2
    return 1
  fi
}

build_zip() {
  ensure_cargo_lambda || return 1
  local lambda_dir arch_flag
  lambda_dir="${CARGO_TARGET_DIR:-$ROOT/target}/lambda"
  if [ "$ARCH" = arm64 ]; then arch_flag=--arm64; else arch_flag=--x86-64; fi
  ZIP="$lambda_dir/$BIN_NAME/bootstrap.zip"
  rm -f "$ZIP"
  step "cargo lambda build --release $arch_flag (feature aws only: no query engine)"
  cargo lambda build --release "$arch_flag" --output-format zip --no-default-features --features aws \
    --bin "$BIN_NAME" --lambda-dir "$lambda_dir" || return 1
  if [ ! -f "$ZIP" ]; then
    echo "deploy.sh: cargo lambda build did not write $ZIP" >&2
    return 1
  fi
  echo "zip: $ZIP ($(wc -c < "$ZIP" | tr -d ' ') bytes, $ARCH)"
}

# ------------------------------------------------------------------ check

python_tools() {
  if [ -z "${PY:-}" ]; then
    # The venv .ci/run builds from scripts/requirements.txt (same path and
    # completion marker), so CI and this script share one install.
    local venv
    venv="$CACHE/venv-$(sha256 scripts/requirements.txt | cut -c1-16)"
    if [ ! -f "$venv/.complete" ]; then
      echo "installing scripts/requirements.txt into $venv"
      rm -rf "$venv"
      python3 -m venv "$venv"
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/requirements.txt
      touch "$venv/.complete"
    fi
    PY="$venv/bin/python"
  fi
  "$PY" -c 'import cfnlint, checkov' 2>/dev/null \
    || die "PY=$PY has no cfn-lint or checkov: $PY -m pip install -r scripts/requirements.txt"
}

run_checks() {
  local failed=()
  if [ "$BUILD" = 1 ]; then
    build_zip || failed+=("build")
  fi
  python_tools

  step "cfn-lint $TEMPLATE"
  # `python -m` rather than the venv's scripts, whose shebangs go stale when
  # a venv moves; cfnlint has no __main__, so call its entry point.
  if "$PY" -c 'import sys; from cfnlint.runner import main; sys.argv[0] = "cfn-lint"; sys.exit(main())' \
      --regions "${REGION:-us-east-1}" -- "$TEMPLATE"; then
    echo "cfn-lint: no errors, no warnings"
  else
    failed+=("cfn-lint")
  fi

  step "watch-and-resume contract (scripts/check_template.py)"
  "$PY" scripts/check_template.py "$TEMPLATE" || failed+=("check_template")

  step "checkov (cloudformation) $TEMPLATE"
  # Offline: no platform download, no update check. --quiet prints the
  # counts and any failure; the skipped checks and their reasons are in the
  # template (Metadata: checkov: skip).
  if CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE \
      "$PY" -m checkov.main --skip-download --framework cloudformation -f "$TEMPLATE" --compact --quiet; then
    :
  else
    failed+=("checkov")
  fi

  if [ ${#failed[@]} -gt 0 ]; then
    echo "deploy.sh --check: FAILED: ${failed[*]}" >&2
    exit 1
  fi
  echo "deploy.sh --check: ok"
}

if [ "$CHECK" = 1 ]; then
  run_checks
  exit 0
fi

# ----------------------------------------------------------------- deploy

case $STACK in
  [A-Za-z]*) ;;
  *) usage_error "--stack '$STACK': must start with a letter" ;;
esac
if [ "${#STACK}" -gt 64 ] || printf '%s' "$STACK" | grep -q '[^A-Za-z0-9-]'; then
  usage_error "--stack '$STACK': letters, digits and '-', at most 64 (it is also the function name)"
fi
if [ "$BUILD" = 0 ] && [ -z "$ZIP" ]; then
  usage_error "--no-build deploys only with --zip FILE"
fi

command -v aws >/dev/null 2>&1 || die "the AWS CLI is missing. Install AWS CLI v2:
  https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html
  (Linux x86_64: curl -o awscliv2.zip https://awscli.amazonaws.com/awscli-exe-linux-x86_64.zip
   && unzip awscliv2.zip && sudo ./aws/install; macOS: brew install awscli)
then configure credentials: aws configure, or aws configure sso, or AWS_PROFILE=..."

if [ -z "$REGION" ]; then
  REGION=$(aws configure get region 2>/dev/null || true)
fi
[ -n "$REGION" ] || usage_error "no AWS region: pass --region, set AWS_REGION, or aws configure set region REGION"
export AWS_REGION="$REGION" AWS_DEFAULT_REGION="$REGION"

IDENTITY=$(aws sts get-caller-identity --query '[Account,Arn]' --output text) \
  || die "no AWS credentials: run aws configure (or aws sso login, or set AWS_PROFILE)"
ACCOUNT=$(printf '%s' "$IDENTITY" | cut -f1)
PARTITION=$(printf '%s' "$IDENTITY" | cut -f2 | cut -d: -f2)
echo "account $ACCOUNT, region $REGION, stack $STACK, architecture $ARCH"

stack_exists=0
status=$(aws cloudformation describe-stacks --stack-name "$STACK" \
  --query 'Stacks[0].StackStatus' --output text 2>/dev/null || true)
case $status in
  ""|REVIEW_IN_PROGRESS) ;;
  ROLLBACK_COMPLETE)
    die "stack $STACK is in ROLLBACK_COMPLETE (its first deploy failed; the events say why:
  aws cloudformation describe-stack-events --stack-name $STACK --region $REGION)
and can only be deleted: aws cloudformation delete-stack --stack-name $STACK --region $REGION" ;;
  *) stack_exists=1 ;;
esac
if [ "$stack_exists" = 0 ]; then
  has_artists=0
  for o in ${OVERRIDES[@]+"${OVERRIDES[@]}"}; do
    case $o in Artists=*) has_artists=1 ;; esac
  done
  [ "$has_artists" = 1 ] || usage_error "stack $STACK does not exist yet: the first deploy needs --artists"
fi

if [ "$BUILD" = 1 ]; then
  build_zip || die "the build failed"
else
  [ -f "$ZIP" ] || die "--zip $ZIP: no such file"
fi

step "upload the zip"
if [ -z "$CODE_BUCKET" ]; then
  CODE_BUCKET=$(printf '%s-artifacts-%s-%s' "$STACK" "$ACCOUNT" "$REGION" | tr '[:upper:]' '[:lower:]')
  [ "${#CODE_BUCKET}" -le 63 ] || usage_error "bucket name $CODE_BUCKET is over 63 characters: pass --code-bucket"
  if ! aws s3api head-bucket --bucket "$CODE_BUCKET" --expected-bucket-owner "$ACCOUNT" >/dev/null 2>&1; then
    echo "creating s3://$CODE_BUCKET (deployment artifacts)"
    if [ "$REGION" = us-east-1 ]; then
      aws s3api create-bucket --bucket "$CODE_BUCKET" >/dev/null
    else
      aws s3api create-bucket --bucket "$CODE_BUCKET" \
        --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
    fi \
      || die "could not create s3://$CODE_BUCKET (name taken?): pass --code-bucket BUCKET"
    aws s3api wait bucket-exists --bucket "$CODE_BUCKET"
  fi
  # Hardened on every deploy, not only when created: a deploy stopped
  # between create-bucket and these calls must not leave it open. Each call
  # sets the whole configuration, so repeating it changes nothing.
  echo "hardening s3://$CODE_BUCKET (public access block, encryption, TLS-only policy)"
  aws s3api put-public-access-block --bucket "$CODE_BUCKET" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  aws s3api put-bucket-encryption --bucket "$CODE_BUCKET" --server-side-encryption-configuration \
    '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
  aws s3api put-bucket-policy --bucket "$CODE_BUCKET" --policy "$(printf '%s' \
    '{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny",' \
    '"Principal":"*","Action":"s3:*","Resource":["arn:'"$PARTITION"':s3:::'"$CODE_BUCKET"'",' \
    '"arn:'"$PARTITION"':s3:::'"$CODE_BUCKET"'/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}')"
fi
HASH=$(sha256 "$ZIP" | cut -c1-16)
CODE_KEY="$STACK/bootstrap-$ARCH-$HASH.zip"
if aws s3api head-object --bucket "$CODE_BUCKET" --key "$CODE_KEY" >/dev/null 2>&1; then
  echo "s3://$CODE_BUCKET/$CODE_KEY is already there"
else
  aws s3 cp --only-show-errors "$ZIP" "s3://$CODE_BUCKET/$CODE_KEY"
  echo "uploaded s3://$CODE_BUCKET/$CODE_KEY"
fi

step "aws cloudformation deploy --stack-name $STACK"
# The template goes inline (under CloudFormation's 51,200-byte limit for a
# template body; past it, add --s3-bucket "$CODE_BUCKET").
aws cloudformation deploy \
  --template-file "$TEMPLATE" \
  --stack-name "$STACK" \
  --capabilities CAPABILITY_IAM \
  --no-fail-on-empty-changeset \
  --parameter-overrides "CodeBucket=$CODE_BUCKET" "CodeKey=$CODE_KEY" "Architecture=$ARCH" \
    ${OVERRIDES[@]+"${OVERRIDES[@]}"}

step "stack outputs"
aws cloudformation describe-stacks --stack-name "$STACK" \
  --query 'Stacks[0].Outputs[].[OutputKey,OutputValue]' --output table

SECRET_ARN=$(aws cloudformation describe-stacks --stack-name "$STACK" \
  --query "Stacks[0].Outputs[?OutputKey=='SecretArn'].OutputValue" --output text)
FUNCTION=$(aws cloudformation describe-stacks --stack-name "$STACK" \
  --query "Stacks[0].Outputs[?OutputKey=='FunctionName'].OutputValue" --output text)
versions=$(aws secretsmanager list-secret-version-ids --secret-id "$SECRET_ARN" \
  --query 'length(Versions)' --output text 2>/dev/null || echo unknown)
if [ "$versions" = 0 ]; then
  cat <<EOF

The Spotify secret is still empty. Put the app's credentials in it from
standard input, never on the command line (ps and shell history see that):
  aws secretsmanager put-secret-value --region $REGION --secret-id '$SECRET_ARN' \\
    --secret-string file:///dev/stdin
then paste {"client_id":"…","client_secret":"…"}, press Enter and Ctrl-D.
EOF
fi
cat <<EOF

Run it once now (asynchronously, as the schedule does):
  aws lambda invoke --region $REGION --function-name $FUNCTION --invocation-type Event \\
    --cli-binary-format raw-in-base64-out --payload '{}' /dev/stdout
EOF
