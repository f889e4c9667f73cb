//! The Spotify app's credentials from AWS Secrets Manager.
//!
//! The secret's SecretString is `{"client_id": "...", "client_secret":
//! "..."}` (DESIGN.md, Environment). Nothing read here is ever logged or
//! put in an error: the body is parsed as untyped JSON first, because
//! serde's typed errors quote the offending value, and then checked field
//! by field with messages that name only the field.

use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata as _};
use serde_json::Value;

use crate::config::Credentials;

/// Why the credentials could not be read. Never holds the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No such secret, or it has no value yet.
    #[error(
        "the Spotify secret {arn} {problem}; put the app's credentials in it from standard input, never on a command line: aws secretsmanager put-secret-value --secret-id {arn} --secret-string file:///dev/stdin, then paste {{\"client_id\":\"…\",\"client_secret\":\"…\"}} and press Ctrl-D"
    )]
    Missing {
        /// The secret's ARN or name.
        arn: String,
        /// "does not exist" or "has no value".
        problem: String,
    },
    /// The role may not read it.
    #[error(
        "access denied reading the Spotify secret {arn}: the function's role needs secretsmanager:GetSecretValue on it (and kms:Decrypt if it uses a customer key)"
    )]
    Denied {
        /// The secret.
        arn: String,
    },
    /// The value is not the expected JSON.
    #[error(
        "the Spotify secret {arn} is malformed: {problem}; expected a JSON object {{\"client_id\": \"…\", \"client_secret\": \"…\"}}"
    )]
    Malformed {
        /// The secret.
        arn: String,
        /// What is wrong, without any of the value.
        problem: String,
    },
    /// Any other failure (network, throttling after the SDK's retries).
    #[error("cannot read the Spotify secret {arn} from Secrets Manager: {detail}")]
    Call {
        /// The secret.
        arn: String,
        /// The SDK's error, with its context.
        detail: String,
    },
}

/// Reads and checks the credentials in secret `arn`.
pub async fn read(
    client: &aws_sdk_secretsmanager::Client,
    arn: &str,
) -> Result<Credentials, SecretError> {
    let out = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| {
            let arn = arn.to_owned();
            // A 403 whose body the SDK cannot read (moto answers XML) is
            // still a denial.
            let forbidden = e.raw_response().is_some_and(|r| r.status().as_u16() == 403);
            match e.code() {
                Some("ResourceNotFoundException") => SecretError::Missing {
                    arn,
                    problem: "does not exist (or has no current value)".into(),
                },
                Some(code)
                    if code.contains("AccessDenied") || code == "UnrecognizedClientException" =>
                {
                    SecretError::Denied { arn }
                }
                _ if forbidden => SecretError::Denied { arn },
                _ => SecretError::Call {
                    arn,
                    detail: DisplayErrorContext(&e).to_string(),
                },
            }
        })?;
    let Some(text) = out.secret_string() else {
        return Err(SecretError::Missing {
            arn: arn.to_owned(),
            problem: "has no SecretString (a binary secret?)".into(),
        });
    };
    parse(arn, text)
}

/// Checks a SecretString; errors name fields, never values.
pub fn parse(arn: &str, text: &str) -> Result<Credentials, SecretError> {
    let malformed = |problem: &str| SecretError::Malformed {
        arn: arn.to_owned(),
        problem: problem.to_owned(),
    };
    // serde_json's syntax errors give a line and column, never content.
    let value: Value = serde_json::from_str(text).map_err(|e| {
        malformed(&format!(
            "not JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let Value::Object(map) = value else {
        return Err(malformed("not a JSON object"));
    };
    let field = |name: &str| -> Result<String, SecretError> {
        match map.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            Some(Value::String(_)) => Err(malformed(&format!("{name} is empty"))),
            Some(_) => Err(malformed(&format!("{name} is not a string"))),
            None => Err(malformed(&format!("{name} is missing"))),
        }
    };
    Ok(Credentials {
        client_id: field("client_id")?,
        client_secret: field("client_secret")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:spotify-AbCdEf";

    #[test]
    fn a_good_secret_gives_both_fields() {
        let c = parse(
            ARN,
            r#"{"client_id": "id-123", "client_secret": "s3cr3t-value", "note": "rotated"}"#,
        )
        .unwrap();
        assert_eq!(c.client_id, "id-123");
        assert_eq!(c.client_secret, "s3cr3t-value");
    }

    #[test]
    fn malformed_secrets_name_the_problem_and_never_the_value() {
        for (text, problem) in [
            ("s3cr3t-value", "not JSON"),
            (r#""s3cr3t-value""#, "not a JSON object"),
            (r#"["s3cr3t-value"]"#, "not a JSON object"),
            (r#"{"client_id": "id-123"}"#, "client_secret is missing"),
            (
                r#"{"client_id": "id-123", "client_secret": 98765}"#,
                "client_secret is not a string",
            ),
            (
                r#"{"client_id": "  ", "client_secret": "s3cr3t-value"}"#,
                "client_id is empty",
            ),
            (
                r#"{"client_id": "id-123", "client_secret": "s3cr3t-value""#,
                "not JSON",
            ),
        ] {
            let err = parse(ARN, text).unwrap_err().to_string();
            assert!(err.contains(problem), "{text}: {err}");
            assert!(err.contains(ARN), "{err}");
            for leaked in ["s3cr3t-value", "id-123", "98765"] {
                assert!(!err.contains(leaked), "{text}: {err} leaks {leaked}");
            }
        }
    }
}
