//! The built-in rule set.
//!
//! Families follow gitleaks' default rules and trivy's built-in rules; ids reuse trivy's where
//! trivy has the rule (so a trivy `disable-rules` list works unchanged) and gitleaks' otherwise.
//! Every regex is compiled with Unicode off (bytes, ASCII classes) and names the secret part
//! `secret`; rules without that group report the whole match.

use crate::Severity;

/// One built-in rule, as static data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Builtin {
    pub(crate) id: &'static str,
    pub(crate) category: &'static str,
    pub(crate) title: &'static str,
    pub(crate) severity: Severity,
    /// Lowercase literals; the rule only runs where one of them occurs.
    pub(crate) keywords: &'static [&'static str],
    pub(crate) regex: &'static str,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    pub(crate) entropy: Option<f64>,
    /// The match may span lines (PEM blocks): search a larger window after the keyword.
    pub(crate) multiline: bool,
    /// Generic rules yield to a specific rule that found the same bytes.
    pub(crate) generic: bool,
}

const B: &str = r"(?:^|[^0-9A-Za-z])"; // left boundary that tolerates `_`-free wrapping
use Severity::{Critical, High, Low, Medium};

macro_rules! rule {
    ($id:expr, $cat:expr, $title:expr, $sev:expr, [$($kw:expr),*], $re:expr) => {
        Builtin { id: $id, category: $cat, title: $title, severity: $sev, keywords: &[$($kw),*],
                  regex: $re, entropy: None, multiline: false, generic: false }
    };
    ($id:expr, $cat:expr, $title:expr, $sev:expr, [$($kw:expr),*], $re:expr, entropy = $e:expr) => {
        Builtin { id: $id, category: $cat, title: $title, severity: $sev, keywords: &[$($kw),*],
                  regex: $re, entropy: Some($e), multiline: false, generic: false }
    };
}

/// The built-in rules, most specific first: when two rules find the same bytes the earlier wins.
pub(crate) fn builtins() -> Vec<Builtin> {
    let _ = B;
    vec![
        // --- AWS
        rule!(
            "aws-access-key-id",
            "AWS",
            "AWS Access Key ID",
            Critical,
            [
                "akia", "asia", "abia", "acca", "a3t", "agpa", "aida", "aroa", "aipa", "anpa",
                "anva"
            ],
            r"(?:^|[^0-9A-Za-z])(?P<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16})(?:[^0-9A-Za-z]|$)"
        ),
        rule!(
            "aws-secret-access-key",
            "AWS",
            "AWS Secret Access Key",
            Critical,
            ["aws"],
            r#"(?i)aws[A-Za-z0-9_.-]{0,20}?(?:secret|sec|private|key)[A-Za-z0-9_.-]{0,20}['"]?(?:\s*(?:=|:=|=>|:)\s*|\s+)['"]?(?P<secret>[A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)"#
        ),
        // --- GitHub
        rule!(
            "github-pat",
            "GitHub",
            "GitHub Personal Access Token",
            Critical,
            ["ghp_"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>ghp_[0-9a-zA-Z]{36})"
        ),
        rule!(
            "github-oauth",
            "GitHub",
            "GitHub OAuth Access Token",
            Critical,
            ["gho_"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>gho_[0-9a-zA-Z]{36})"
        ),
        rule!(
            "github-app-token",
            "GitHub",
            "GitHub App Token",
            Critical,
            ["ghu_", "ghs_"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>(?:ghu|ghs)_[0-9a-zA-Z]{36}|ghs_[0-9]{1,12}_eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"
        ),
        rule!(
            "github-refresh-token",
            "GitHub",
            "GitHub Refresh Token",
            Critical,
            ["ghr_"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>ghr_[0-9a-zA-Z]{36,76})"
        ),
        rule!(
            "github-fine-grained-pat",
            "GitHub",
            "GitHub Fine-grained personal access tokens",
            Critical,
            ["github_pat_"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>github_pat_[0-9A-Za-z_]{82})"
        ),
        // --- GitLab
        rule!(
            "gitlab-pat",
            "GitLab",
            "GitLab Personal Access Token",
            Critical,
            ["glpat-"],
            r"(?P<secret>glpat-[0-9A-Za-z_-]{20,300})"
        ),
        rule!(
            "gitlab-ptt",
            "GitLab",
            "GitLab Pipeline Trigger Token",
            Critical,
            ["glptt-"],
            r"(?P<secret>glptt-[0-9a-f]{40})"
        ),
        rule!(
            "gitlab-rrt",
            "GitLab",
            "GitLab Runner Registration Token",
            Critical,
            ["gr1348941"],
            r"(?P<secret>GR1348941[0-9A-Za-z_-]{20})"
        ),
        rule!(
            "gitlab-runner-authentication-token",
            "GitLab",
            "GitLab Runner Authentication Token",
            Critical,
            ["glrt-"],
            r"(?P<secret>glrt-[0-9A-Za-z_-]{20})"
        ),
        // --- Slack
        rule!(
            "slack-web-hook",
            "Slack",
            "Slack Webhook",
            Medium,
            ["hooks.slack.com"],
            r"(?P<secret>https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56})"
        ),
        rule!(
            "slack-app-token",
            "Slack",
            "Slack App-level Token",
            High,
            ["xapp-"],
            r"(?i)(?P<secret>xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]+)"
        ),
        rule!(
            "slack-access-token",
            "Slack",
            "Slack token",
            High,
            ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-", "xoxe"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>xox(?:[baprs]|e\.xox[bp]|e)-[0-9a-zA-Z-]{10,250})"
        ),
        // --- Stripe / Twilio / SendGrid
        rule!(
            "stripe-secret-token",
            "Stripe",
            "Stripe Secret Key",
            Critical,
            [
                "sk_test", "sk_live", "sk_prod", "rk_test", "rk_live", "rk_prod"
            ],
            r"(?:^|[^0-9A-Za-z])(?P<secret>(?:sk|rk)_(?:test|live|prod)_[0-9a-zA-Z]{10,99})(?:[^0-9A-Za-z]|$)"
        ),
        rule!(
            "twilio-api-key",
            "Twilio",
            "Twilio API Key",
            Medium,
            ["sk"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>SK[0-9a-fA-F]{32})(?:[^0-9A-Za-z]|$)",
            entropy = 3.0
        ),
        rule!(
            "sendgrid-api-token",
            "SendGrid",
            "SendGrid API token",
            Medium,
            ["sg."],
            r"(?:^|[^0-9A-Za-z])(?P<secret>SG\.[A-Za-z0-9=_.-]{66})"
        ),
        // --- package registries
        rule!(
            "npm-access-token",
            "npm",
            "npm access token",
            Critical,
            ["npm_"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>npm_[A-Za-z0-9]{36})"
        ),
        rule!(
            "npmrc-auth-token",
            "npm",
            "npm registry auth in .npmrc",
            High,
            ["_auth"],
            r#"(?im)(?:^|:)\s*_auth(?:token)?\s*=\s*['"]?(?P<secret>[A-Za-z0-9+/=._:-]{8,})"#
        ),
        rule!(
            "pypi-upload-token",
            "PyPI",
            "PyPI upload token",
            High,
            ["pypi-ageichlwas5vcmc"],
            r"(?P<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000})"
        ),
        rule!(
            "private-packagist-token",
            "Packagist",
            "Private Packagist token",
            High,
            ["packagist_"],
            r"(?P<secret>packagist_(?:ort|out|uut)_[a-fA-F0-9]{68})"
        ),
        // --- Google Cloud
        rule!(
            "gcp-api-key",
            "Google",
            "GCP API key",
            High,
            ["aiza"],
            r"(?P<secret>AIza[0-9A-Za-z_-]{35})"
        ),
        rule!(
            "gcp-service-account",
            "Google",
            "Google (GCP) Service-account",
            Critical,
            ["service_account"],
            r#""type"\s*:\s*"(?P<secret>service_account)""#
        ),
        // --- Azure
        rule!(
            "azure-storage-account-key",
            "Azure",
            "Azure Storage Account Key",
            Critical,
            ["accountkey"],
            r"(?i)AccountKey\s*=\s*(?P<secret>[A-Za-z0-9+/]{86,88}={0,2})"
        ),
        rule!(
            "azure-ai-services-key",
            "Azure",
            "Azure AI Services Key",
            High,
            ["jqqj9"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>[A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9]{18}ACOG[A-Za-z0-9]{4})(?:[^0-9A-Za-z]|$)"
        ),
        rule!(
            "azure-container-registry-key",
            "Azure",
            "Azure Container Registry Key",
            High,
            ["jqqj9"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>[A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9]{18}AZCR[A-Za-z0-9]{4})(?:[^0-9A-Za-z]|$)"
        ),
        rule!(
            "azure-app-config-connection-string",
            "Azure",
            "Azure App Configuration Connection String",
            High,
            ["azconfig.io"],
            r"Endpoint=https://[^;\s]+\.azconfig\.io;Id=[^;\s]+;Secret=(?P<secret>[A-Za-z0-9+/=]{36,})"
        ),
        rule!(
            "azure-ad-client-secret",
            "Azure",
            "Azure Entra client secret",
            High,
            ["q~"],
            r"(?:^|[\\'\x22`\s>=:(,)])(?P<secret>[a-zA-Z0-9_~.]{3}[0-9]Q~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\'\x22`\s<),])"
        ),
        rule!(
            "azure-devops-pat",
            "Azure",
            "Azure DevOps Personal Access Token",
            High,
            ["azure", "devops"],
            r#"(?i)(?:azure|devops)[A-Za-z0-9_.-]{0,20}(?:token|pat)[A-Za-z0-9_.-]{0,10}['"]?\s*(?:=|:)\s*['"]?(?P<secret>[a-z2-7]{52})(?:[^A-Za-z0-9]|$)"#
        ),
        rule!(
            "azure-container-registry-password",
            "Azure",
            "Azure Container Registry password",
            High,
            ["azurecr.io"],
            r#"(?i)[a-z0-9-]{1,50}\.azurecr\.io[^\n]{0,40}?passw(?:or)?d['"]?\s*[:=]\s*['"]?(?P<secret>[A-Za-z0-9+/=]{32,})"#
        ),
        rule!(
            "azure-sas-token",
            "Azure",
            "Azure Shared Access Signature",
            High,
            ["sig="],
            r"(?:sv|sp|se|sr|spr)=[^&\s]{1,64}&[^\s'\x22]{0,300}?\bsig=(?P<secret>[A-Za-z0-9%+/]{40,100}(?:=|%3D){0,2})"
        ),
        // --- AI/SaaS tokens seen in the corpora
        rule!(
            "openai-api-key",
            "OpenAI",
            "OpenAI API Key",
            Critical,
            ["t3blbkfj"],
            r"(?:^|[^0-9A-Za-z_-])(?P<secret>sk-(?:proj-|svcacct-|admin-|service-account[0-9]*-|None-)?[A-Za-z0-9_-]{20}T3BlbkFJ[A-Za-z0-9_-]{20})(?:[^0-9A-Za-z_-]|$)"
        ),
        rule!(
            "hugging-face-access-token",
            "HuggingFace",
            "Hugging Face Access Token",
            Critical,
            ["hf_"],
            r"(?:^|[^0-9A-Za-z_])(?P<secret>hf_[A-Za-z0-9]{34,40})(?:[^0-9A-Za-z]|$)"
        ),
        rule!(
            "alibaba-access-key-id",
            "Alibaba",
            "Alibaba AccessKey ID",
            High,
            ["ltai"],
            r"(?:^|[^0-9A-Za-z])(?P<secret>LTAI[A-Za-z0-9]{20})(?:[^0-9A-Za-z]|$)"
        ),
        rule!(
            "grafana-api-token",
            "Grafana",
            "Grafana API token",
            Medium,
            ["eyjrijoi"],
            r"(?P<secret>eyJrIjoi[A-Za-z0-9]{70,400}={0,2})"
        ),
        rule!(
            "shopify-token",
            "Shopify",
            "Shopify token",
            High,
            ["shpat_", "shpca_", "shppa_", "shpss_"],
            r"(?P<secret>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})"
        ),
        rule!(
            "dockerconfig-secret",
            "Docker",
            "Dockerconfig secret exposed",
            High,
            ["dockercfg", "dockerconfigjson", "\"auth\""],
            r#"(?i)(?:\.(?:dockerconfigjson|dockercfg)['"]?\s*:\s*['"]?(?P<secret>[A-Za-z0-9+/]{8,}={0,2})|"auth"\s*:\s*"(?P<auth>[A-Za-z0-9+/]{12,}={0,2})")"#
        ),
        // --- private keys
        Builtin {
            id: "private-key",
            category: "AsymmetricPrivateKey",
            title: "Asymmetric Private Key",
            severity: High,
            keywords: &["private key"],
            regex: r"(?i)-----\s*BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?\s*-----(?:\\[rn]|\s)*(?P<secret>[A-Za-z0-9=+/][A-Za-z0-9=+/\\\s:,.-]{19,}?)-----\s*END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?\s*-----",
            entropy: None,
            multiline: true,
            generic: false,
        },
        // --- JWT
        rule!(
            "jwt-token",
            "JWT",
            "JWT token",
            Medium,
            ["eyj"],
            r"(?:^|[^0-9A-Za-z_.-])(?P<secret>eyJ[A-Za-z0-9_-]{15,}\.eyJ[A-Za-z0-9_-]{15,}\.[A-Za-z0-9_-]{10,}={0,2})"
        ),
        // --- credentials in URLs
        rule!(
            "database-url-password",
            "Database",
            "Database connection URL with password",
            Critical,
            [
                "postgres",
                "mysql",
                "mariadb",
                "mongodb",
                "redis",
                "amqp",
                "mssql",
                "sqlserver",
                "jdbc:"
            ],
            r"(?i)(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|jdbc:[a-z]+)://[^\s:/@'\x22]{1,64}:(?P<secret>[^\s:/@'\x22]{1,128})@[^\s'\x22]+"
        ),
        Builtin {
            id: "url-basic-auth",
            category: "General",
            title: "Credentials in URL",
            severity: Medium,
            keywords: &["://"],
            regex: r"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@'\x22]{1,64}:(?P<secret>[^\s:/@'\x22]{3,128})@[A-Za-z0-9.-]+",
            entropy: None,
            multiline: false,
            generic: true,
        },
        // --- generic assignments, gated by entropy
        Builtin {
            id: "generic-secret-assignment",
            category: "General",
            title: "Secret assigned in text",
            severity: Low,
            keywords: &[
                "passw",
                "pwd",
                "secret",
                "token",
                "api_key",
                "apikey",
                "api-key",
                "access_key",
                "accesskey",
                "private_key",
                "auth_key",
                "authkey",
                "credential",
                "client_key",
                "service_key",
                "account_key",
            ],
            regex: r#"(?i)[A-Za-z0-9_.-]{0,50}?(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?|client[_-]?key|service[_-]?key|account[_-]?key)[A-Za-z0-9_.-]{0,20}['"]?\s{0,3}(?:=|:=|=>|::?|>|\?=)\s{0,3}['"`]?(?:!!binary\s+)?(?P<secret>[^\s'"`;<>,(){}\[\]]{6,150})"#,
            entropy: Some(3.0),
            multiline: false,
            generic: true,
        },
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_and_kebab_case() {
        let rules = super::builtins();
        let mut ids: Vec<_> = rules.iter().map(|r| r.id).collect();
        for id in &ids {
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{id}"
            );
        }
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len());
        for r in &rules {
            for k in r.keywords {
                assert_eq!(*k, k.to_ascii_lowercase(), "{}", r.id);
            }
        }
    }
}
