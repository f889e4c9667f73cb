//! The catalog contract on both implementations, and the lake on S3 with
//! the tables in Glue, against moto on 127.0.0.1 (started by `.ci/run`).

use serde_json::Value;
use spotify_lake::aws::Aws;
use spotify_lake::catalog::{Catalog, GlueCatalog, LocalCatalog, TableChange};
use spotify_lake::schema::Table;

use crate::support::catalog_contract::catalog_contract;
use crate::support::cli::{CliRun, cli_command, run_cli, run_command};
use crate::support::lake::TempLake;
use crate::support::moto::{Moto, denying_moto, moto};
use crate::support::sample::sample_raw;

/// A Glue catalog in a fresh database on moto.
async fn glue_on(moto: &Moto, prefix: &str) -> GlueCatalog {
    GlueCatalog::new(
        &Aws::load().await,
        &moto.unique(prefix),
        "s3://it-bucket/lake",
        false,
    )
}

#[tokio::test]
async fn the_local_catalog_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let lake = spotify_lake::store::open(dir.path().to_str().unwrap()).unwrap();
    catalog_contract(&LocalCatalog::new(lake.store.clone())).await;
}

#[tokio::test]
async fn the_glue_catalog_keeps_the_contract() {
    let Some(moto) = moto("the_glue_catalog_keeps_the_contract") else {
        return;
    };
    let glue = glue_on(&moto, "it_contract_").await;
    catalog_contract(&glue).await;
}

#[tokio::test]
async fn glue_partitions_go_in_batches_of_at_most_100() {
    let Some(moto) = moto("glue_partitions_go_in_batches_of_at_most_100") else {
        return;
    };
    let glue = glue_on(&moto, "it_batches_").await;
    glue.ensure_table(Table::Tracks.def()).await.unwrap();
    let date = "2026-11-26".parse().unwrap();
    let keys: Vec<_> = (0..250)
        .map(|i| spotify_lake::lake::PartitionKey::Tracks {
            date,
            artist: spotify_lake::ids::SpotifyId::parse(
                spotify_lake::ids::IdKind::Artist,
                &format!("{i:0>22}"),
            )
            .unwrap(),
        })
        .collect();
    let before = glue.calls();
    assert_eq!(glue.add_partitions(&keys).await.unwrap(), 250);
    assert_eq!(
        glue.calls() - before,
        3,
        "250 partitions: three BatchCreatePartition calls"
    );
}

/// `spotify-lake <args>` with the summary as JSON.
fn cli(args: &[&str]) -> CliRun {
    let mut all = args.to_vec();
    if args[0] == "load" {
        all.extend(["--summary", "json"]);
    }
    run_cli(&all)
}

struct S3Lake {
    lake: String,
    database: String,
}

fn s3_lake(moto: &Moto) -> S3Lake {
    let bucket = moto.unique("it-lake-");
    moto.create_bucket(&bucket);
    S3Lake {
        lake: format!("s3://{bucket}/lake"),
        database: moto.unique("it_db_"),
    }
}

/// `load --raw RAW --lake LAKE --catalog glue --database DATABASE`.
fn glue_load_args<'a>(raw: &'a str, lake: &'a str, database: &'a str) -> [&'a str; 9] {
    [
        "load",
        "--raw",
        raw,
        "--lake",
        lake,
        "--catalog",
        "glue",
        "--database",
        database,
    ]
}

fn load_glue(s3: &S3Lake, raw: &str) -> CliRun {
    cli(&glue_load_args(raw, &s3.lake, &s3.database))
}

#[tokio::test(flavor = "multi_thread")]
async fn load_to_s3_and_glue_registers_every_partition_once() {
    let Some(moto) = moto("load_to_s3_and_glue_registers_every_partition_once") else {
        return;
    };
    let s3 = s3_lake(&moto);
    let raw = sample_raw();
    let first = load_glue(&s3, raw.to_str().unwrap());
    first.assert_code(0);
    let summary = first.json();
    let files = summary["files_written"].as_u64().unwrap();
    assert_eq!(summary["partitions"]["registered"].as_u64(), Some(files));
    assert_eq!(summary["catalog"]["tables_created"], 4);
    assert_eq!(
        summary["catalog"]["views_written"].as_u64(),
        Some(spotify_lake::sql::VIEWS.len() as u64),
        "latest_albums and the three answers"
    );
    assert!(summary["catalog"]["calls"].as_u64().unwrap() > 0);

    let again = load_glue(&s3, raw.to_str().unwrap());
    again.assert_code(0);
    let summary = again.json();
    assert_eq!(summary["partitions"]["registered"], 0, "nothing duplicated");
    assert_eq!(summary["partitions"]["existing"].as_u64(), Some(files));
    assert_eq!(summary["catalog"]["tables_created"], 0);
    assert_eq!(summary["catalog"]["views_written"], 0);

    // Glue holds exactly the partitions whose files exist.
    let aws = Aws::load().await;
    let glue = GlueCatalog::new(&aws, &s3.database, &s3.lake, false);
    let mut registered = 0;
    for table in Table::ALL {
        registered += glue.partitions(table).await.unwrap().len() as u64;
    }
    assert_eq!(registered, files);

    // The embedded engine answers the same over S3 as over a local lake.
    let local = TempLake::with_sample();
    local.load(&[]).assert_code(0);
    for query in ["album_length_by_year", "album_length_trend"] {
        let over_s3: Value = serde_json::from_str(
            &run_cli(&["query", query, "--lake", &s3.lake, "--format", "json"]).stdout,
        )
        .unwrap();
        let over_dir: Value = serde_json::from_str(&local.query(query, "json").stdout).unwrap();
        assert_eq!(over_s3, over_dir, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_load_without_the_catalog_is_healed_by_the_next_one() {
    let Some(moto) = moto("a_load_without_the_catalog_is_healed_by_the_next_one") else {
        return;
    };
    let s3 = s3_lake(&moto);
    let raw = sample_raw();
    // As if the process died between writing the files and registering them.
    let written = cli(&[
        "load",
        "--raw",
        raw.to_str().unwrap(),
        "--lake",
        &s3.lake,
        "--catalog",
        "none",
    ]);
    written.assert_code(0);
    let files = written.json()["files_written"].as_u64().unwrap();
    let healed = load_glue(&s3, raw.to_str().unwrap());
    healed.assert_code(0);
    assert_eq!(
        healed.json()["partitions"]["registered"].as_u64(),
        Some(files)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_s3_write_registers_no_partition() {
    let Some(moto) = moto("a_failed_s3_write_registers_no_partition") else {
        return;
    };
    let database = moto.unique("it_db_");
    let lake = format!("s3://{}/lake", moto.unique("it-missing-"));
    let raw = sample_raw();
    let run = cli(&[
        "load",
        "--raw",
        raw.to_str().unwrap(),
        "--lake",
        &lake,
        "--catalog",
        "glue",
        "--database",
        &database,
    ]);
    run.assert_code(1);
    run.assert_stderr_has(&["cannot write", "check that the lake location exists"]);
    let aws = Aws::load().await;
    let glue = GlueCatalog::new(&aws, &database, &lake, false);
    for table in Table::ALL {
        assert!(
            glue.partitions(table)
                .await
                .map(|p| p.is_empty())
                .unwrap_or(true),
            "{table}"
        );
    }
}

#[test]
fn missing_aws_credentials_are_a_clear_error() {
    let Some(moto) = moto("missing_aws_credentials_are_a_clear_error") else {
        return;
    };
    let raw = sample_raw();
    let lake = format!("s3://{}/lake", moto.unique("it-nocreds-"));
    let args = [
        "load",
        "--raw",
        raw.to_str().unwrap(),
        "--lake",
        &lake,
        "--catalog",
        "none",
    ];
    let mut cmd = cli_command(&args);
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let run = run_command(cmd, &args);
    run.assert_code(1);
    run.assert_stderr_has(&["no AWS credentials", "AWS_ACCESS_KEY_ID"]);
}

#[test]
fn the_glue_catalog_needs_an_s3_lake() {
    let t = TempLake::with_sample();
    let run = t.load(&["--catalog", "glue"]);
    run.assert_code(2);
    run.assert_stderr_has(&["--catalog glue", "s3://bucket/prefix"]);
}

#[tokio::test]
async fn a_view_whose_sql_changed_is_updated_in_place() {
    let Some(moto) = moto("a_view_whose_sql_changed_is_updated_in_place") else {
        return;
    };
    let glue = glue_on(&moto, "it_views_").await;
    glue.ensure_table(Table::Albums.def()).await.unwrap();
    let view = spotify_lake::sql::VIEWS[0];
    assert_eq!(glue.ensure_view(&view).await.unwrap(), TableChange::Created);
    let sql = format!("{}\n-- changed", view.file.sql);
    let changed = spotify_lake::sql::ViewFile {
        file: spotify_lake::sql::SqlFile {
            name: view.file.name,
            sql: Box::leak(sql.into_boxed_str()),
        },
        columns: view.columns,
    };
    assert_eq!(
        glue.ensure_view(&changed).await.unwrap(),
        TableChange::Updated
    );
    assert_eq!(
        glue.ensure_view(&changed).await.unwrap(),
        TableChange::Unchanged
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_catalog_failure_mid_load_is_reported_and_healed_by_the_next_load() {
    let Some(moto) = moto("a_catalog_failure_mid_load_is_reported_and_healed_by_the_next_load")
    else {
        return;
    };
    let s3 = s3_lake(&moto);
    let aws = Aws::load().await;
    // Someone registered `tracks` with another type: the load writes every
    // file, creates `albums`, then stops at `tracks` with an exit 1.
    let glue = GlueCatalog::new(&aws, &s3.database, &s3.lake, false);
    let mut wrong = Table::Tracks.def().clone();
    let at = wrong
        .columns
        .iter()
        .position(|c| c.name == "duration_ms")
        .unwrap();
    wrong.columns[at].hive_type = spotify_lake::schema::HiveType::String;
    glue.ensure_table(&wrong).await.unwrap();
    let raw = sample_raw();
    let failed = load_glue(&s3, raw.to_str().unwrap());
    failed.assert_code(1);
    failed.assert_stderr_has(&[
        "tracks.duration_ms is registered as string but schemas/ now says bigint",
    ]);
    assert!(
        glue.partitions(Table::Albums).await.unwrap().is_empty(),
        "no partition before every table is right"
    );

    // Fixed by hand (the table dropped); the next load registers everything.
    aws_sdk_glue::Client::new(&aws.sdk)
        .delete_table()
        .database_name(&s3.database)
        .name("tracks")
        .send()
        .await
        .unwrap();
    let healed = load_glue(&s3, raw.to_str().unwrap());
    healed.assert_code(0);
    let summary = healed.json();
    // tracks again, and the two tables after it that the failed load never reached.
    assert_eq!(summary["catalog"]["tables_created"], 3);
    assert_eq!(
        summary["partitions"]["registered"],
        summary["files_written"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn denied_access_is_a_clear_error_for_s3_and_glue() {
    let Some(url) = denying_moto("denied_access_is_a_clear_error_for_s3_and_glue") else {
        return;
    };
    let raw = sample_raw();
    let args = glue_load_args(raw.to_str().unwrap(), "s3://denied/lake", "denied");
    let mut cmd = cli_command(&args);
    cmd.env("AWS_ENDPOINT_URL", &url);
    let run = run_command(cmd, &args);
    run.assert_code(1);
    run.assert_stderr_has(&["cannot write", "lacked the necessary privileges", "403"]);

    let sdk = spotify_lake::aws::loader().endpoint_url(&url).load().await;
    let glue = GlueCatalog::new(&Aws { sdk }, "denied", "s3://denied/lake", false);
    let err = glue
        .ensure_table(Table::Albums.def())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("in AWS Glue; check the credentials"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_and_glue_each_take_their_own_endpoint() {
    let test = "s3_and_glue_each_take_their_own_endpoint";
    let (Some(moto), Some(denied)) = (moto(test), denying_moto(test)) else {
        return;
    };
    let s3 = s3_lake(&moto);
    let raw = sample_raw();
    let mut args = glue_load_args(raw.to_str().unwrap(), &s3.lake, &s3.database).to_vec();
    args.extend(["--summary", "json"]);
    // The shared endpoint denies everything: only the service-specific
    // ones lead anywhere.
    let mut cmd = cli_command(&args);
    cmd.env("AWS_ENDPOINT_URL", &denied)
        .env("AWS_ENDPOINT_URL_S3", &moto.endpoint)
        .env("AWS_ENDPOINT_URL_GLUE", &moto.endpoint);
    let run = run_command(cmd, &args);
    run.assert_code(0);
    let summary = run.json();
    let files = summary["files_written"].as_u64().unwrap();
    assert!(files > 0);
    assert_eq!(summary["partitions"]["registered"].as_u64(), Some(files));

    // And the S3-specific one wins over the shared one.
    let mut cmd = cli_command(&args);
    cmd.env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_ENDPOINT_URL_S3", &denied);
    let run = run_command(cmd, &args);
    run.assert_code(1);
    run.assert_stderr_has(&["cannot write", "403"]);
}

/// The parameters of every table in `database`, by table.
async fn table_parameters(
    aws: &Aws,
    database: &str,
) -> std::collections::BTreeMap<String, std::collections::HashMap<String, String>> {
    let client = aws_sdk_glue::Client::new(&aws.sdk);
    let mut out = std::collections::BTreeMap::new();
    for table in Table::ALL {
        let got = client
            .get_table()
            .database_name(database)
            .name(table.name())
            .send()
            .await
            .unwrap();
        let params = got
            .table()
            .and_then(|t| t.parameters())
            .cloned()
            .unwrap_or_default();
        out.insert(table.name().to_owned(), params);
    }
    out
}

/// Regression (issue "Nothing fails silently"): turning `projection` off
/// left an earlier load's projection keys on the Glue tables, so Athena
/// went on projecting (new artists invisible) instead of reading the
/// registered partitions.
#[tokio::test(flavor = "multi_thread")]
async fn projection_off_removes_the_projection_keys_from_the_glue_tables() {
    let Some(moto) = moto("projection_off_removes_the_projection_keys_from_the_glue_tables") else {
        return;
    };
    let s3 = s3_lake(&moto);
    let raw = sample_raw();
    let dir = tempfile::tempdir().unwrap();
    let load_with = |projection: bool| {
        let cfg = dir.path().join(format!("projection-{projection}.toml"));
        std::fs::write(&cfg, format!("[catalog]\nprojection = {projection}\n")).unwrap();
        let mut args = glue_load_args(raw.to_str().unwrap(), &s3.lake, &s3.database).to_vec();
        args.extend(["--config", cfg.to_str().unwrap()]);
        cli(&args)
    };
    let is_projection =
        |k: &String| k.starts_with("projection.") || k == "storage.location.template";
    let aws = Aws::load().await;

    load_with(true).assert_code(0);
    let on = table_parameters(&aws, &s3.database).await;
    for (table, params) in &on {
        assert_eq!(
            params.get("projection.enabled").map(String::as_str),
            Some("true"),
            "{table}: {params:?}"
        );
        assert!(params.contains_key("storage.location.template"), "{table}");
    }
    assert!(
        on["albums"].contains_key("projection.artist_id.values"),
        "{:?}",
        on["albums"]
    );

    let off = load_with(false);
    off.assert_code(0);
    assert_eq!(
        off.json()["catalog"]["tables_updated"],
        Table::ALL.len(),
        "every table loses its projection keys"
    );
    for (table, params) in table_parameters(&aws, &s3.database).await {
        let left: Vec<&String> = params.keys().filter(|k| is_projection(k)).collect();
        assert!(left.is_empty(), "{table} keeps {left:?}");
        assert_eq!(
            params.get("classification").map(String::as_str),
            Some("parquet"),
            "{table}"
        );
    }
    // The partitions stay registered: they are what Athena reads now.
    let glue = GlueCatalog::new(&aws, &s3.database, &s3.lake, false);
    let files = off.json()["partitions"]["existing"].as_u64().unwrap();
    let mut registered = 0;
    for table in Table::ALL {
        registered += glue.partitions(table).await.unwrap().len() as u64;
    }
    assert_eq!(registered, files);

    // Nothing left to remove: the next load changes no table.
    let again = load_with(false);
    again.assert_code(0);
    assert_eq!(again.json()["catalog"]["tables_updated"], 0);
}
