//! Object-store table locations (`s3://`, `s3a://`, `gs://`, `az://`, `abfs(s)://`,
//! `http(s)://`) and the settings that reach them: the conventional environment
//! (`AWS_ACCESS_KEY_ID`, `GOOGLE_SERVICE_ACCOUNT`, `AZURE_STORAGE_ACCOUNT_NAME`, …, read by
//! object_store's `from_env`) and [`StorageOptions`], which take Paimon's option names as well
//! as object_store's own keys and win over the environment.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::http::HttpBuilder;
use object_store::path::Path;
use object_store::{BackoffConfig, ClientConfigKey, ObjectStore, ObjectStoreScheme, RetryConfig};
use strata_core::{Error, Result};
use url::Url;

/// One `key=value` storage setting; its `Debug` hides the value of secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct StorageOption {
    /// The key, as given.
    pub key: String,
    /// The value.
    pub value: String,
}

impl std::fmt::Debug for StorageOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if is_secret(&self.key) {
            write!(f, "{}=<redacted>", self.key)
        } else {
            write!(f, "{}={}", self.key, self.value)
        }
    }
}

impl std::str::FromStr for StorageOption {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok(StorageOption {
                key: k.trim().to_string(),
                value: v.to_string(),
            }),
            _ => Err("expected key=value".into()),
        }
    }
}

/// Whether a key's value must never be shown.
fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["secret", "token", "password", "sas", "credential", "key"]
        .iter()
        .any(|w| k.contains(w))
        && !k.ends_with("key_id")
        && !k.ends_with("keyid")
        && !k.ends_with("access-key")
}

/// Settings for object-store locations: Paimon's names (Java's `s3.endpoint`,
/// `s3.access-key`, `s3.secret-key`, `s3.session-token`, `s3.region`, `s3.path.style.access`;
/// pypaimon's `fs.s3.endpoint`, `fs.s3.accessKeyId`, `fs.s3.accessKeySecret`,
/// `fs.s3.securityToken`, `fs.s3.region`) or object_store's configuration keys (`aws_*`,
/// `google_*`, `azure_*`, and client keys such as `allow_http` or `timeout`). Local tables
/// ignore them.
///
/// ```
/// use strata_writer::storage::StorageOptions;
/// let opts = StorageOptions::new([("s3.endpoint", "http://127.0.0.1:9000")]);
/// assert!(!opts.is_empty());
/// ```
#[derive(Clone, Default, Debug)]
pub struct StorageOptions {
    options: Vec<StorageOption>,
}

impl StorageOptions {
    /// Options from `key, value` pairs; later ones win.
    pub fn new<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        StorageOptions {
            options: pairs
                .into_iter()
                .map(|(k, v)| StorageOption {
                    key: k.into(),
                    value: v.into(),
                })
                .collect(),
        }
    }

    /// Options parsed by the command line.
    pub fn from_options(options: Vec<StorageOption>) -> Self {
        StorageOptions { options }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.options.is_empty()
    }

    /// `single-writer=true`: the opt-out for stores without conditional writes. Snapshots
    /// are then created by a check for the file followed by a plain put, which is atomic only
    /// while one writer at a time commits to the table.
    pub(crate) fn single_writer(&self, location: &str) -> Result<bool> {
        let mut on = false;
        for o in self.options.iter().filter(|o| is_single_writer_key(&o.key)) {
            on = match o.value.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(bad_value(location, &o.key, "expected true or false")),
            };
        }
        Ok(on)
    }
}

impl StorageOptions {
    /// Whether the `external-paths` option lets the storage of `location` reach `root`, a
    /// root its table declares in `data-file.external-paths`: `declared` (or `true`) allows
    /// every declared root, a comma-separated list only those; unset, none.
    pub(crate) fn external_path_allowed(&self, location: &str, root: &str) -> Result<bool> {
        let norm = |r: &str| r.trim().trim_end_matches('/').to_string();
        let mut allowed = false;
        for o in self
            .options
            .iter()
            .filter(|o| is_external_paths_key(&o.key))
        {
            let v = o.value.trim();
            allowed = match v.to_ascii_lowercase().as_str() {
                "" => return Err(bad_value(location, &o.key, "expected declared or roots")),
                "declared" | "true" => true,
                "false" | "none" => false,
                _ => v.split(',').any(|r| norm(r) == norm(root)),
            };
        }
        Ok(allowed)
    }
}

fn is_external_paths_key(key: &str) -> bool {
    matches!(key, "external-paths" | "strata.external-paths")
}

fn is_single_writer_key(key: &str) -> bool {
    matches!(key, "single-writer" | "strata.single-writer")
}

/// The object stores a location can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// Amazon S3 and S3-compatible stores (`s3://`, `s3a://`).
    S3,
    /// Google Cloud Storage (`gs://`).
    Gcs,
    /// Azure Blob Storage and ADLS Gen2 (`az://`, `abfs://`, `abfss://`, `azure://`).
    Azure,
    /// Plain HTTP(S): read-only.
    Http,
}

impl StoreKind {
    /// What to set for credentials, for error messages.
    pub(crate) fn credentials_hint(self) -> &'static str {
        match self {
            StoreKind::S3 => {
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or --storage-option \
                 s3.access-key=… -S s3.secret-key=…), and AWS_ENDPOINT_URL for S3-compatible \
                 stores"
            }
            StoreKind::Gcs => {
                "GOOGLE_SERVICE_ACCOUNT (a service account key file) or GOOGLE_SERVICE_ACCOUNT_KEY"
            }
            StoreKind::Azure => {
                "AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY (or a SAS token / \
                 client secret, as object_store reads them)"
            }
            StoreKind::Http => "nothing (HTTP is read without credentials)",
        }
    }
}

/// A remote location, opened.
pub(crate) struct Remote {
    pub(crate) store: Arc<dyn ObjectStore>,
    pub(crate) root: Path,
    pub(crate) kind: StoreKind,
    /// [`StorageOptions::single_writer`].
    pub(crate) single_writer: bool,
}

/// Bounded retries of throttled (429, 503), failed (5xx) and timed-out requests, with
/// exponential backoff and jitter (object_store's); each retry is logged at info level by
/// object_store (`strata -v` or RUST_LOG=object_store=info shows them).
fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            base: 2.0,
        },
        max_retries: 8,
        retry_timeout: Duration::from_secs(120),
    }
}

/// Paimon's spelling of an S3 setting, as object_store's key.
fn paimon_s3_key(key: &str) -> Option<AmazonS3ConfigKey> {
    Some(match key {
        "s3.endpoint" | "fs.s3.endpoint" | "s3a.endpoint" | "fs.s3a.endpoint" => {
            AmazonS3ConfigKey::Endpoint
        }
        "s3.access-key" | "s3.access.key" | "fs.s3.accessKeyId" | "fs.s3a.access.key" => {
            AmazonS3ConfigKey::AccessKeyId
        }
        "s3.secret-key" | "s3.secret.key" | "fs.s3.accessKeySecret" | "fs.s3a.secret.key" => {
            AmazonS3ConfigKey::SecretAccessKey
        }
        "s3.session-token"
        | "s3.session.token"
        | "fs.s3.securityToken"
        | "fs.s3a.session.token" => AmazonS3ConfigKey::Token,
        "s3.region" | "fs.s3.region" | "fs.s3a.endpoint.region" => AmazonS3ConfigKey::Region,
        _ => return None,
    })
}

fn is_path_style_key(key: &str) -> bool {
    matches!(
        key,
        "s3.path.style.access" | "s3.path-style-access" | "fs.s3a.path.style.access"
    )
}

/// Whether `key` is a setting of some backend (so a location of another kind ignores it).
fn known_anywhere(key: &str) -> bool {
    is_single_writer_key(key)
        || is_external_paths_key(key)
        || paimon_s3_key(key).is_some()
        || is_path_style_key(key)
        || key.parse::<AmazonS3ConfigKey>().is_ok()
        || key.parse::<GoogleConfigKey>().is_ok()
        || key.parse::<AzureConfigKey>().is_ok()
        || key.parse::<ClientConfigKey>().is_ok()
}

/// The options a backend takes as its own config keys `K`; options meant for another backend
/// are skipped, unknown ones refused.
fn backend_options<'a, K: std::str::FromStr>(
    location: &str,
    options: &'a StorageOptions,
) -> Result<Vec<(K, &'a str)>> {
    let mut out = Vec::new();
    for o in &options.options {
        match o.key.parse::<K>() {
            Ok(k) => out.push((k, o.value.as_str())),
            Err(_) if known_anywhere(&o.key) => {}
            Err(_) => return Err(unknown_key(location, &o.key)),
        }
    }
    Ok(out)
}

fn unknown_key(location: &str, key: &str) -> Error {
    Error::InvalidValue(format!(
        "{location}: unknown storage option {key:?}; use Paimon's names (s3.endpoint, \
         s3.access-key, s3.secret-key, s3.session-token, s3.region, s3.path.style.access, or \
         pypaimon's fs.s3.*), object_store's keys (aws_*, google_*, azure_*, allow_http, \
         timeout, …), single-writer or external-paths"
    ))
}

fn bad_value(location: &str, key: &str, e: impl std::fmt::Display) -> Error {
    // The value is not shown: it may be a secret.
    Error::InvalidValue(format!("{location}: storage option {key}: {e}"))
}

/// Opens `url` (already parsed from `location`) through object_store's backend for its
/// scheme, with the environment and `options`.
pub(crate) fn open_remote(location: &str, url: &Url, options: &StorageOptions) -> Result<Remote> {
    let (scheme, path) = ObjectStoreScheme::parse(url).map_err(|_| unsupported_scheme(location))?;
    // `az://CONTAINER/path` is fsspec's spelling (adlfs, pypaimon), and the one object_store's
    // Azure builder reads; object_store's scheme parser takes it as `az://ACCOUNT/CONTAINER/`
    // and drops the path's first segment, which would put the table elsewhere in the container.
    let root = if url.scheme() == "az" {
        Path::from_url_path(url.path())
    } else {
        Ok(path)
    }
    .map_err(|e| Error::InvalidValue(format!("{location}: bad path in the URL: {e}")))?;
    let config_err = |kind: StoreKind, e: object_store::Error| {
        Error::InvalidValue(format!(
            "{location}: cannot configure the store: {e}; set {}",
            kind.credentials_hint()
        ))
    };
    let (store, kind): (Arc<dyn ObjectStore>, StoreKind) = match scheme {
        ObjectStoreScheme::AmazonS3 => {
            let b = s3_builder(location, url, options)?;
            let b = b.with_retry(retry_config());
            let store = b.build().map_err(|e| config_err(StoreKind::S3, e))?;
            (Arc::new(store), StoreKind::S3)
        }
        ObjectStoreScheme::GoogleCloudStorage => {
            let mut b = GoogleCloudStorageBuilder::from_env().with_url(url.as_str());
            for (k, v) in backend_options::<GoogleConfigKey>(location, options)? {
                b = b.with_config(k, v);
            }
            let store = b
                .with_retry(retry_config())
                .build()
                .map_err(|e| config_err(StoreKind::Gcs, e))?;
            (Arc::new(store), StoreKind::Gcs)
        }
        ObjectStoreScheme::MicrosoftAzure => {
            let mut b = MicrosoftAzureBuilder::from_env().with_url(url.as_str());
            for (k, v) in backend_options::<AzureConfigKey>(location, options)? {
                b = b.with_config(k, v);
            }
            let store = b
                .with_retry(retry_config())
                .build()
                .map_err(|e| config_err(StoreKind::Azure, e))?;
            (Arc::new(store), StoreKind::Azure)
        }
        ObjectStoreScheme::Http => {
            let base = &url[..url::Position::BeforePath];
            let mut b = HttpBuilder::new().with_url(base).with_client_options(
                object_store::ClientOptions::new().with_allow_http(url.scheme() == "http"),
            );
            for o in &options.options {
                match o.key.parse::<ClientConfigKey>() {
                    Ok(k) => b = b.with_config(k, &o.value),
                    Err(_) if known_anywhere(&o.key) => {}
                    Err(_) => return Err(unknown_key(location, &o.key)),
                }
            }
            let store = b
                .with_retry(retry_config())
                .build()
                .map_err(|e| config_err(StoreKind::Http, e))?;
            (Arc::new(store), StoreKind::Http)
        }
        _ => return Err(unsupported_scheme(location)),
    };
    let single_writer = options.single_writer(location)?;
    Ok(Remote {
        store,
        root,
        kind,
        single_writer,
    })
}

fn s3_builder(location: &str, url: &Url, options: &StorageOptions) -> Result<AmazonS3Builder> {
    // object_store reads AWS_ENDPOINT_URL, AWS_ALLOW_HTTP, AWS_REGION and the credentials.
    let mut b = AmazonS3Builder::from_env().with_url(url.as_str());
    for o in &options.options {
        if let Some(k) = paimon_s3_key(&o.key) {
            b = b.with_config(k, &o.value);
        } else if is_path_style_key(&o.key) {
            let path_style: bool = o
                .value
                .trim()
                .parse()
                .map_err(|_| bad_value(location, &o.key, "expected true or false"))?;
            b = b.with_virtual_hosted_style_request(!path_style);
        } else if let Ok(k) = o.key.parse::<AmazonS3ConfigKey>() {
            b = b.with_config(k, &o.value);
        } else if !known_anywhere(&o.key) {
            return Err(unknown_key(location, &o.key));
        }
    }
    let endpoint = b.get_config_value(&AmazonS3ConfigKey::Endpoint);
    // An http:// endpoint (MinIO, moto on loopback) is consent to plain HTTP.
    if endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with("http://"))
    {
        b = b.with_allow_http(true);
    }
    let has_key = b
        .get_config_value(&AmazonS3ConfigKey::AccessKeyId)
        .is_some();
    let has_secret = b
        .get_config_value(&AmazonS3ConfigKey::SecretAccessKey)
        .is_some();
    let skip_signature = b
        .get_config_value(&AmazonS3ConfigKey::SkipSignature)
        .is_some_and(|v| v == "true");
    if has_key != has_secret {
        return Err(Error::InvalidValue(format!(
            "{location}: an access key id needs its secret and the other way round; set both \
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or s3.access-key and s3.secret-key)"
        )));
    }
    // Without credentials object_store asks the instance metadata service, which an
    // S3-compatible store's network does not have: say what to set instead of timing out.
    let ambient = [
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ]
    .iter()
    .chain(&["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
    .any(|v| std::env::var_os(v).is_some());
    if endpoint.is_some() && !has_key && !skip_signature && !ambient {
        return Err(Error::InvalidValue(format!(
            "{location}: no credentials for the S3 endpoint; set {} (any values if the \
             store does not check them)",
            StoreKind::S3.credentials_hint()
        )));
    }
    Ok(b)
}

/// The error for a location whose scheme no backend handles.
pub(crate) fn unsupported_scheme(location: &str) -> Error {
    let scheme = location.split("://").next().unwrap_or(location);
    Error::unsupported(
        location,
        format!(
            "no storage for the scheme {scheme:?}: table locations are local paths, file://, \
             s3:// (or s3a://), gs://, az:// (abfs://, abfss://) and http(s):// (read-only)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> StorageOptions {
        StorageOptions::new(pairs.iter().copied())
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let o = opts(&[
            ("s3.secret-key", "hunter2"),
            ("fs.s3.accessKeySecret", "hunter3"),
            ("aws_session_token", "tok"),
            ("s3.access-key", "AKIDVISIBLE"),
        ]);
        let shown = format!("{o:?}");
        for secret in ["hunter2", "hunter3", "tok\""] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("AKIDVISIBLE"), "{shown}");
    }

    #[test]
    fn external_roots_are_reached_only_when_allowed() {
        let allow = |v: &str| StorageOptions::new([("external-paths", v)]);
        let root = "s3://bucket/ext";
        assert!(!StorageOptions::default()
            .external_path_allowed("t", root)
            .unwrap());
        assert!(allow("declared").external_path_allowed("t", root).unwrap());
        assert!(allow("s3://bucket/ext/, s3://other/x")
            .external_path_allowed("t", root)
            .unwrap());
        assert!(!allow("s3://bucket/ext2")
            .external_path_allowed("t", root)
            .unwrap());
        assert!(!allow("none").external_path_allowed("t", root).unwrap());
        assert!(allow(" ").external_path_allowed("t", root).is_err());
    }

    #[test]
    fn unknown_schemes_and_keys_are_named() {
        let url = Url::parse("ftp://host/t").unwrap();
        let e = open_remote("ftp://host/t", &url, &StorageOptions::default())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("ftp") && e.contains("s3://"), "{e}");
        let url = Url::parse("s3://bucket/t").unwrap();
        let e = open_remote(
            "s3://bucket/t",
            &url,
            &opts(&[("s3.endpoint", "http://127.0.0.1:1"), ("s3.nope", "x")]),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("s3.nope") && e.contains("s3.endpoint"), "{e}");
    }

    #[test]
    fn a_half_credential_says_what_is_missing_without_the_secret() {
        let url = Url::parse("s3://bucket/t").unwrap();
        let e = open_remote(
            "s3://bucket/t",
            &url,
            &opts(&[
                ("s3.endpoint", "http://127.0.0.1:1"),
                ("s3.secret-key", "hunter2"),
            ]),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            e.contains("AWS_ACCESS_KEY_ID") && !e.contains("hunter2"),
            "{e}"
        );
    }

    #[test]
    fn paimon_names_configure_s3() {
        let url = Url::parse("s3a://bucket/warehouse/db.db/t").unwrap();
        let r = open_remote(
            "s3a://bucket/warehouse/db.db/t",
            &url,
            &opts(&[
                ("fs.s3.endpoint", "http://127.0.0.1:1"),
                ("fs.s3.accessKeyId", "a"),
                ("fs.s3.accessKeySecret", "b"),
                ("s3.path.style.access", "true"),
                ("fs.s3.region", "eu-west-1"),
                // Another backend's key is ignored on S3.
                ("google_service_account", "x"),
            ]),
        )
        .ok()
        .unwrap();
        assert_eq!(r.kind, StoreKind::S3);
        assert_eq!(r.root.as_ref(), "warehouse/db.db/t");
    }
}
