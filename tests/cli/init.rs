//! `repurpose init`.

use crate::harness::{Project, VENUE_FILES};

#[test]
fn writes_templates_config_and_a_post_that_builds() {
    let p = Project::new();
    let run = p.run(&["init", "site"]).expect_code(0);
    let templates = VENUE_FILES.map(|file| format!("site/templates/{file}.tera"));
    for file in templates
        .iter()
        .map(String::as_str)
        .chain(["site/repurpose.yaml", "site/posts/example.md"])
    {
        assert!(p.exists(file), "{file} missing; {}", run.stdout);
    }
    let built = assert_cmd::Command::cargo_bin("repurpose")
        .unwrap()
        .current_dir(p.path().join("site"))
        .args(["build", "posts/example.md"])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let venues = assert_cmd::Command::cargo_bin("repurpose")
        .unwrap()
        .current_dir(p.path().join("site"))
        .arg("venues")
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&venues.stdout);
    assert!(
        table.contains("templates/forum.bbcode.tera"),
        "init's templates are used: {table}"
    );
}

#[test]
fn refuses_to_overwrite_and_writes_nothing() {
    let p = Project::new();
    p.write("repurpose.yaml", "site: {}\n");
    let run = p.run(&["init"]).expect_code(1);
    run.expect_stderr_contains("not overwriting `./repurpose.yaml`");
    assert!(!p.exists("templates"));
    assert_eq!(p.read("repurpose.yaml"), "site: {}\n");
}

#[test]
fn the_placeholder_site_url_is_commented_out_and_warned_about_once_set() {
    let p = Project::new();
    p.run(&["init"]).expect_code(0);
    let warnings = |stderr: &str| -> Vec<String> {
        stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .map(String::from)
            .collect()
    };
    let run = p.run(&["build", "posts"]).expect_code(0);
    assert_eq!(warnings(&run.stderr), Vec::<String>::new());
    assert!(
        !p.read("out/example/blog.html").contains("example.com"),
        "no link points at the placeholder"
    );

    // Uncommented as it is: a warning naming the line, once per run however many posts.
    let config = p.read("repurpose.yaml");
    let line = config
        .lines()
        .position(|l| l.trim() == "# url: https://example.com/blog")
        .expect("the placeholder is there, commented out")
        + 1;
    p.write(
        "repurpose.yaml",
        &config.replace(
            "# url: https://example.com/blog",
            "url: https://example.com/blog",
        ),
    );
    p.write("posts/second.md", "Second post.\n");
    let expected = [format!(
        "warning: repurpose.yaml:{line}: `site.url` is `https://example.com/blog`, and example.com is reserved for examples: every canonical link, utm link and image will point there; set it to your site's address"
    )];
    let run = p.run(&["build", "posts"]).expect_code(0);
    assert_eq!(warnings(&run.stderr), expected);
    let run = p.run(&["check", "posts"]).expect_code(0);
    assert_eq!(warnings(&run.stderr), expected);
    run.expect_stderr_contains(": 1 warning,");
}
