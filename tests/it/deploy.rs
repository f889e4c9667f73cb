//! `infra/deploy.sh` against a stub `aws` on PATH that records every call:
//! what the script asks of AWS, without AWS.

use std::path::Path;
use std::process::Command;

use crate::support::sample::repo;

/// A stub AWS CLI: logs its arguments, one call per line, and answers the
/// few queries the script reads (an existing stack, an empty secret).
const STUB_AWS: &str = r#"#!/usr/bin/env bash
echo "$*" >> "$STUB_LOG"
case "$*" in
  "sts get-caller-identity"*) printf '123456789012\tarn:aws:iam::123456789012:user/ci\n' ;;
  *"StackStatus"*) echo UPDATE_COMPLETE ;;
  *"OutputKey=='SecretArn'"*) echo arn:aws:secretsmanager:eu-west-2:123456789012:secret:spotify-AbCdEf ;;
  *"OutputKey=='FunctionName'"*) echo spotify-lake ;;
  "secretsmanager list-secret-version-ids"*) echo 0 ;;
esac
exit 0
"#;

fn deploy_with_stub(dir: &Path, extra: &[&str]) -> (std::process::Output, String) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let aws = bin.join("aws");
    std::fs::write(&aws, STUB_AWS).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let zip = dir.join("bootstrap.zip");
    std::fs::write(&zip, b"not really a zip").unwrap();
    let log = dir.join("calls.log");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg(repo().join("infra/deploy.sh"))
        .args(["--region", "eu-west-2", "--zip"])
        .arg(&zip)
        .args(extra)
        .env("PATH", path)
        .env("STUB_LOG", &log)
        .output()
        .expect("run bash infra/deploy.sh");
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    (output, calls)
}

#[test]
fn deploy_hardens_an_artifact_bucket_that_already_exists() {
    let dir = tempfile::tempdir().unwrap();
    let (output, calls) = deploy_with_stub(dir.path(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "deploy.sh failed:\n{stderr}\ncalls:\n{calls}"
    );
    // head-bucket answered "it exists" (a deploy stopped after create-bucket):
    // no create, but the hardening still runs.
    let bucket = "spotify-lake-artifacts-123456789012-eu-west-2";
    assert!(
        calls.contains(&format!("s3api head-bucket --bucket {bucket}")),
        "{calls}"
    );
    assert!(!calls.contains("create-bucket"), "{calls}");
    for hardening in [
        "put-public-access-block",
        "put-bucket-encryption",
        "put-bucket-policy",
    ] {
        assert!(
            calls.contains(&format!("s3api {hardening} --bucket {bucket}")),
            "deploy.sh did not {hardening} the existing bucket:\n{calls}"
        );
    }
    assert!(calls.contains("BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"));
}

#[test]
fn the_secret_is_never_put_on_a_command_line_by_the_advice_we_give() {
    let dir = tempfile::tempdir().unwrap();
    let (output, calls) = deploy_with_stub(dir.path(), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{calls}");
    assert!(
        stdout.contains("The Spotify secret is still empty"),
        "{stdout}"
    );
    assert!(
        stdout.contains("--secret-string file:///dev/stdin"),
        "{stdout}"
    );
    // No advice anywhere puts the JSON itself on a command line.
    for (what, text) in [
        ("deploy.sh's closing message", stdout.to_string()),
        (
            "README.md",
            std::fs::read_to_string(repo().join("README.md")).unwrap(),
        ),
        (
            "src/lambda/secret.rs",
            std::fs::read_to_string(repo().join("src/lambda/secret.rs")).unwrap(),
        ),
    ] {
        assert!(
            !text.contains("--secret-string '") && !text.contains("--secret-string \"{"),
            "{what} tells the user to put the secret on the command line"
        );
    }
}

#[test]
fn every_lambda_setting_is_a_deploy_flag_that_reaches_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let flags = [
        (
            "--include-groups",
            "album,single",
            "IncludeGroups=album,single",
        ),
        ("--playlist-artists", "true", "PlaylistArtists=true"),
        ("--concurrency", "8", "Concurrency=8"),
        ("--reuse-days", "180", "ReuseDays=180"),
        ("--max-requests", "5000", "MaxRequests=5000"),
        ("--max-wait-seconds", "30", "MaxWaitSeconds=30"),
        ("--lease-minutes", "25", "LeaseMinutes=25"),
        ("--projection", "true", "Projection=true"),
        (
            "--scan-limit-bytes",
            "1073741824",
            "AthenaScanLimitBytes=1073741824",
        ),
    ];
    let args: Vec<&str> = flags.iter().flat_map(|(f, v, _)| [*f, *v]).collect();
    let (output, calls) = deploy_with_stub(dir.path(), &args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let deploy = calls
        .lines()
        .find(|l| l.starts_with("cloudformation deploy"))
        .unwrap_or_else(|| panic!("no cloudformation deploy call:\n{calls}"));
    for (flag, _, parameter) in flags {
        assert!(
            deploy.contains(parameter),
            "{flag} did not reach the stack: {deploy}"
        );
    }
}
