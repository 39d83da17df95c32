//! One constructed example per built-in rule (fake values in the documented formats), and a
//! near-miss that must not match. Together with the corpora this covers every rule.

use crate::default_scanner;

const A36: &str = "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"; // 36 mixed alphanumerics

fn examples() -> Vec<(&'static str, String, String)> {
    vec![
        ("aws-access-key-id", "id = AKIAZ3MEXAMPLE7Q2X4R\n".into(), "id = AKIAz3mexample7q2x4r\n".into()),
        ("aws-secret-access-key", "aws_secret_access_key = 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\n".into(), "aws_region = eu-west-1\n".into()),
        ("github-pat", format!("t=ghp_{A36}\n"), "t=ghp_short\n".into()),
        ("github-oauth", format!("t=gho_{A36}\n"), format!("t=xgho_{A36}\n")),
        ("github-app-token", format!("t=ghs_{A36}\n"), "t=ghs_\n".into()),
        ("github-refresh-token", format!("t=ghr_{A36}\n"), "t=ghr_1\n".into()),
        ("github-fine-grained-pat", format!("t=github_pat_11ABCDEFG0{}\n", "aB3dE5gH7j".repeat(7) + "aB"), "t=github_pat_1\n".into()),
        ("gitlab-pat", "t=glpat-Zx8Yw7Vu6Ts5Rq4Po3Nm\n".into(), "t=glpat-short\n".into()),
        ("gitlab-ptt", format!("t=glptt-{}\n", "0123456789abcdef0123456789abcdef01234567"), "t=glptt-xyz\n".into()),
        ("gitlab-rrt", "t=GR1348941Zx8Yw7Vu6Ts5Rq4Po3Nm\n".into(), "t=GR1348941\n".into()),
        ("gitlab-runner-authentication-token", "t=glrt-Zx8Yw7Vu6Ts5Rq4Po3Nm\n".into(), "t=glrt-1\n".into()),
        ("slack-web-hook", "u=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXXaB3dE5gH7jK9\n".into(), "u=https://hooks.slack.com/services/\n".into()),
        ("slack-app-token", "t=xapp-1-A0123456789-1234567890123-abcdef0123456789\n".into(), "t=xapp-\n".into()),
        ("slack-access-token", "t=xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\n".into(), "t=abcdexoxb-1234567890\n".into()),
        ("stripe-secret-token", "k=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n".into(), "k=ask_live_superlive1\n".into()),
        ("twilio-api-key", "k=SK0123456789abcdef0123456789abcdef\n".into(), "k=SK00000000000000000000000000000000\n".into()),
        ("sendgrid-api-token", format!("k=SG.{}\n", "aB3dE5gH7jK9mN1pQ3sT5v.W7yZ9bC1dE3fG5hJ7kL9nP1qR3tU5wX7zA9cD1eF3gH"), "k=SG.short\n".into()),
        ("npm-access-token", format!("//registry.npmjs.org/:_authToken=npm_{A36}\n"), "npm_config_cache=/tmp\n".into()),
        ("npmrc-auth-token", "//npm.acme.io/:_authToken=5f2b7c1e-9a4d-4e8b-b1c3-7d6e5f4a3b2c\n".into(), "basic_auth = none\n".into()),
        ("pypi-upload-token", format!("password = pypi-AgEIcHlwaS5vcmc{}\n", "CJ1aXd".repeat(10)), "pypi-AgEI\n".into()),
        ("private-packagist-token", format!("t=packagist_ort_{}\n", "6675e11a686c692f3f2e3b6ce528c3d122d22d912ea69a20713cdf51714ba710ad74"), "t=packagist_ort_1\n".into()),
        ("gcp-api-key", "k=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY\n".into(), "k=AIza\n".into()),
        ("gcp-service-account", "{\"type\": \"service_account\", \"project_id\": \"p\"}\n".into(), "{\"type\": \"authorized_user\"}\n".into()),
        ("azure-storage-account-key", format!("AccountKey={}==\n", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5hJ7kL9nP1qR3tU5wX7zA9cD1eF3gH5iJ7kL9mN1oP3qR5sT7uV9wX1y"), "AccountKey=short\n".into()),
        ("azure-ai-services-key", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzJQQJ99CEACYeBjFXJ3w3AAABACOGabcd\n".into(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ\n".into()),
        ("azure-container-registry-key", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzJQQJ99CEACYeBjFEqg7NAAACAZCRabcd\n".into(), "JQQJ99\n".into()),
        ("azure-container-registry-password", "acme.azurecr.io password: A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0u/+\n".into(), "acme.azurecr.io\n".into()),
        ("azure-app-config-connection-string", "Endpoint=https://s.azconfig.io;Id=iLiM;Secret=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij\n".into(), "Endpoint=https://s.azconfig.io\n".into()),
        ("azure-ad-client-secret", "client_secret=pFF8Q~3R.bzncyyAqiIOuP.0X0Nu7YIyCMd3pcB2\n".into(), "q~\n".into()),
        ("azure-devops-pat", "AZURE_DEVOPS_TOKEN=abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst\n".into(), "AZURE_DEVOPS_ORG=acme\n".into()),
        ("azure-sas-token", "?sv=2023-11-03&sr=b&sp=r&sig=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopQ%3D\n".into(), "sig=short\n".into()),
        ("openai-api-key", "k=sk-proj-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst\n".into(), "k=sk-ant-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst\n".into()),
        ("hugging-face-access-token", "t=hf_Testpoiqazwsxedcrfvtgbyhn12345ujmik6789\n".into(), "_call_hf_processorz1DeepseekOCRMultiModalProcessor\n".into()),
        ("alibaba-access-key-id", "k = LTAI1234567890ABCDEFG123,\n".into(), "asdLTAI1234567890ABCDEFG123\n".into()),
        ("grafana-api-token", format!("T={}\n", "eyJrIjoiT0tTcG1pUlY2RnVKZTFVaDFsNFZXdE9ZWmNrMkZYbkIsIm4iOiJteWtleSIsImlkIjoxfQ00"), "T=eyJrIjoi\n".into()),
        ("shopify-token", "t=shpat_0123456789abcdef0123456789abcdef\n".into(), "t=shpat_x\n".into()),
        ("dockerconfig-secret", "{\"auths\":{\"r.io\":{\"auth\":\"dXNlcjpzM2NyM3RwYXNzd29yZA==\"}}}\n".into(), "{\"auth\": \"\"}\n".into()),
        ("private-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n".into(), "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n".into()),
        ("jwt-token", "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n".into(), "eyJhbGciOi\n".into()),
        ("database-url-password", "DATABASE_URL=postgres://app:Sup3rS3cretPw@db:5432/app\n".into(), "DATABASE_URL=postgres://app@db:5432/app\n".into()),
        ("url-basic-auth", "url = 'https://deploy:Wh0a-Pa55@git.example.com/repo.git'\n".into(), "url = 'https://git.example.com/repo.git'\n".into()),
        ("generic-secret-assignment", "client_secret: \"q8Zr4Lm2Xv7Tn3Kp\"\n".into(), "password: ${DB_PASSWORD}\nsecret = os.environ.get\n".into()),
    ]
}

#[test]
fn every_builtin_rule_has_a_positive_and_a_negative_example() {
    let s = default_scanner();
    let ex = examples();
    for id in s.rule_ids() {
        assert!(ex.iter().any(|(r, _, _)| *r == id), "no example for {id}");
    }
    for (id, pos, neg) in &ex {
        let got = s.scan("app/config.txt", pos.as_bytes());
        assert!(
            got.iter().any(|f| f.rule_id == *id),
            "{id}: positive not found, got {got:?}"
        );
        for f in &got {
            assert!(
                f.match_masked.trim_end_matches('*').chars().count() <= 4,
                "{f:?}"
            );
        }
        let got = s.scan("app/config.txt", neg.as_bytes());
        assert!(
            !got.iter().any(|f| f.rule_id == *id),
            "{id}: negative matched: {got:?}"
        );
    }
}

/// Regression: scanning a Python installation with awscli reported 45 copies of AWS's
/// documented example key from its `.rst` examples and 800 generic matches from library code.
#[test]
fn dependency_docs_and_library_code_are_not_flagged() {
    let s = default_scanner();
    let rst = "   \"AccessKeyId\": \"AKIAIOSFODNN7EXAMPLE\"\n";
    let lib = "    token = \"q8Zr4Lm2Xv7Tn3Kp\"\n";
    let site = "usr/local/lib/python3.12/site-packages";
    let json = "{\"AccessKeyId\": \"AKIAIOSFODNN7EXAMPLE\"}\n";
    assert!(
        s.scan(
            &format!("{site}/botocore/data/sts/examples-1.json"),
            json.as_bytes()
        )
        .is_empty()
    );
    assert!(
        s.scan(
            &format!("{site}/awscli/examples/iam/get.rst"),
            rst.as_bytes()
        )
        .is_empty()
    );
    assert!(
        s.scan(&format!("{site}/botocore/client.py"), lib.as_bytes())
            .is_empty()
    );
    // The same text in the application's own files is reported.
    assert!(!s.scan("app/docs/setup.rst", rst.as_bytes()).is_empty());
    assert!(!s.scan("app/settings.py", lib.as_bytes()).is_empty());
    // A specific rule still looks at library code: a real-looking key there is reported.
    assert!(
        !s.scan(&format!("{site}/pkg/conf.py"), rst.as_bytes())
            .is_empty()
    );
}
