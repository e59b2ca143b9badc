// suggestSpec over real folders (and one git commit): every kind of project it recognises gives
// text that parseSpec() accepts, whose values are the ones meant, and whose layers take files.

#include "gitrepo.h"
#include "projectfile/spec.h"
#include "projectfile/suggest.h"
#include "source/gitsource.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace slipway;
using namespace Qt::StringLiterals;

namespace {

// A folder with the given files (path, contents); executables when the path is in `executables`.
class Folder
{
public:
    explicit Folder(const QString &name = u"app"_s)
        : m_path(m_dir.filePath(name))
    {
        QDir().mkpath(m_path);
    }
    QString path() const { return m_path; }
    bool write(const QString &relative, const QByteArray &contents, bool executable = false)
    {
        const QString full = m_path + u'/' + relative;
        QDir().mkpath(QFileInfo(full).path());
        QFile file(full);
        if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size())
            return false;
        file.close();
        return !executable || file.setPermissions(file.permissions() | QFile::ExeOwner | QFile::ExeGroup);
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
};

struct Parsed
{
    SuggestedSpec suggested;
    Spec spec;
};

// Suggests for the folder, requires the text to parse, and hands back both.
bool suggest(const Folder &folder, Parsed &out)
{
    const Result<SuggestedSpec> suggested = suggestSpec(folder.path());
    if (!suggested) {
        qWarning("suggestSpec: %s", qPrintable(suggested.error().message));
        return false;
    }
    const Result<Spec> spec = parseSpec(suggested->text.toUtf8());
    if (!spec) {
        qWarning("parseSpec: %s\n%s", qPrintable(spec.error().message), qPrintable(suggested->text));
        return false;
    }
    // SLIPWAY_SHOW_SUGGESTIONS=1 prints each text, to read them.
    if (qEnvironmentVariableIsSet("SLIPWAY_SHOW_SUGGESTIONS"))
        qInfo().noquote() << suggested->text;
    out.suggested = suggested.value();
    out.spec = spec.value();
    return true;
}

QStringList layerNames(const Spec &spec)
{
    QStringList names;
    for (const LayerSpec &layer : spec.layers)
        names << layer.name;
    return names;
}

} // namespace

class TestSuggestSpec final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void staticSiteAtTheRoot()
    {
        Folder folder(u"My Site"_s);
        QVERIFY(folder.write(u"index.html"_s, "<h1>hi</h1>"));
        QVERIFY(folder.write(u"css/site.css"_s, "body{}"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.suggested.kind, u"static"_s);
        QVERIFY2(p.suggested.why.contains(u"index.html"_s), qPrintable(p.suggested.why));
        QVERIFY(!p.suggested.why.contains(u'\n'));
        QCOMPARE(p.spec.image.base, u"docker.io/library/busybox:1.36"_s);
        QCOMPARE(p.spec.image.entrypoint,
                 (QStringList{u"httpd"_s, u"-f"_s, u"-p"_s, u"8080"_s, u"-h"_s, u"/srv/site"_s}));
        QCOMPARE(p.spec.image.expose, QList<int>{8080});
        QCOMPARE(p.spec.layers.size(), 1);
        QCOMPARE(p.spec.layers.at(0).include, QStringList{u"**"_s});
        QCOMPARE(p.spec.layers.at(0).dest, u"/srv/site"_s);
        QCOMPARE(p.spec.deploy.name, u"my-site"_s);
        QCOMPARE(p.spec.deploy.ports, QStringList{u"8080:8080"_s});
        QVERIFY(p.spec.deploy.health.has_value());
        QCOMPARE(p.spec.deploy.health->path, u"/"_s);
        QCOMPARE(p.spec.deploy.stopTimeoutSeconds, 1);
        // Comments explain the choices.
        QVERIFY(p.suggested.text.startsWith(u"# slipway.toml suggested by Slipway.\n# "_s + p.suggested.why +
                                            u'\n'));
        QVERIFY(p.suggested.text.contains(u"# BusyBox"_s));
    }

    void staticSiteInDistOrPublic_data()
    {
        QTest::addColumn<QString>("folderName");
        QTest::newRow("dist") << u"dist"_s;
        QTest::newRow("public") << u"public"_s;
    }
    void staticSiteInDistOrPublic()
    {
        QFETCH(QString, folderName);
        Folder folder;
        QVERIFY(folder.write(folderName + u"/index.html"_s, "<h1>hi</h1>"));
        QVERIFY(folder.write(folderName + u"/assets/app.js"_s, "x()"));
        QVERIFY(folder.write(u"src/main.ts"_s, "x()"));
        // package.json without start or main: a site built by npm, not a Node.js server.
        QVERIFY(folder.write(u"package.json"_s, "{\"scripts\": {\"build\": \"vite build\"}}"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.suggested.kind, u"static"_s);
        QVERIFY(p.suggested.why.contains(folderName + u"/index.html"_s));
        QCOMPARE(p.spec.layers.size(), 1);
        QCOMPARE(p.spec.layers.at(0).include, QStringList{folderName + u"/**"_s});
        QCOMPARE(p.spec.layers.at(0).dest, u"/srv"_s);
        QCOMPARE(p.spec.image.entrypoint.constLast(), u"/srv/"_s + folderName);
    }

    void nodeWithStartScript()
    {
        Folder folder(u"web"_s);
        QVERIFY(folder.write(u"package.json"_s,
                             "{\"name\": \"web\", \"scripts\": {\"start\": \"node server.js\"},"
                             " \"dependencies\": {\"express\": \"4\"}}"));
        QVERIFY(folder.write(u"server.js"_s, "require('express')"));
        QVERIFY(folder.write(u"node_modules/express/index.js"_s, "module.exports = 1"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.suggested.kind, u"node"_s);
        QCOMPARE(p.suggested.why,
                 u"Found package.json with a start script: a Node.js app on node:20-alpine, port 3000."_s);
        QCOMPARE(p.spec.image.base, u"docker.io/library/node:20-alpine"_s);
        QCOMPARE(p.spec.image.workdir, u"/app"_s);
        QCOMPARE(p.spec.image.entrypoint, (QStringList{u"node"_s, u"server.js"_s}));
        QCOMPARE(p.spec.image.env.value(u"PORT"_s), u"3000"_s);
        QCOMPARE(p.spec.image.expose, QList<int>{3000});
        QCOMPARE(layerNames(p.spec), (QStringList{u"deps"_s, u"app"_s}));
        QCOMPARE(p.spec.layers.at(0).include, QStringList{u"node_modules/**"_s});
        QCOMPARE(p.spec.deploy.ports, QStringList{u"3000:3000"_s});
        // No health check is made up: the app's paths are unknown; an example is commented.
        QVERIFY(!p.spec.deploy.health.has_value());
        QVERIFY(p.suggested.text.contains(u"# health = { path = "_s));
        QVERIFY(!p.suggested.text.contains(u"npm install"_s));
    }

    void nodeThroughNpmOrMain()
    {
        {
            Folder folder;
            QVERIFY(folder.write(u"package.json"_s, "{\"scripts\": {\"start\": \"next start -p 3000\"},"
                                                    " \"dependencies\": {\"next\": \"14\"}}"));
            QVERIFY(folder.write(u"pages/index.js"_s, "x"));
            Parsed p;
            QVERIFY(suggest(folder, p));
            QCOMPARE(p.spec.image.entrypoint, (QStringList{u"npm"_s, u"start"_s}));
            QCOMPARE(layerNames(p.spec), QStringList{u"app"_s});
            // Dependencies but no node_modules: Slipway says it installs nothing.
            QVERIFY(p.suggested.text.contains(u"does not run npm"_s));
        }
        Folder folder;
        QVERIFY(folder.write(u"package.json"_s, "{\"main\": \"lib/index.js\"}"));
        QVERIFY(folder.write(u"lib/index.js"_s, "x"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.suggested.kind, u"node"_s);
        QCOMPARE(p.spec.image.entrypoint, (QStringList{u"node"_s, u"lib/index.js"_s}));
    }

    void pythonApp()
    {
        Folder folder;
        QVERIFY(folder.write(u"requirements.txt"_s, "flask\n"));
        QVERIFY(folder.write(u"app.py"_s, "import flask\n"));
        QVERIFY(folder.write(u"vendor/flask/__init__.py"_s, "\n"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.suggested.kind, u"python"_s);
        QVERIFY2(p.suggested.why.contains(u"requirements.txt and app.py"_s), qPrintable(p.suggested.why));
        QCOMPARE(p.spec.image.base, u"docker.io/library/python:3.12-slim"_s);
        QCOMPARE(p.spec.image.entrypoint, (QStringList{u"python"_s, u"app.py"_s}));
        QCOMPARE(p.spec.image.env.value(u"PYTHONPATH"_s), u"/app/vendor"_s);
        QCOMPARE(p.spec.image.expose, QList<int>{8000});
        QCOMPARE(layerNames(p.spec), (QStringList{u"deps"_s, u"app"_s}));
        QCOMPARE(p.spec.layers.at(0).include, QStringList{u"vendor/**"_s});
        QVERIFY(p.suggested.text.contains(u"does not run pip"_s));
    }

    void pythonPackageAndDjango()
    {
        {
            Folder folder;
            QVERIFY(folder.write(u"pyproject.toml"_s, "[project]\nname = \"svc\"\n"));
            QVERIFY(folder.write(u"src/svc/__main__.py"_s, "print(1)\n"));
            Parsed p;
            QVERIFY(suggest(folder, p));
            QCOMPARE(p.spec.image.entrypoint, (QStringList{u"python"_s, u"-m"_s, u"svc"_s}));
            QCOMPARE(p.spec.image.env.value(u"PYTHONPATH"_s), u"/app/src"_s);
        }
        {
            Folder folder;
            QVERIFY(folder.write(u"requirements.txt"_s, "django\n"));
            QVERIFY(folder.write(u"manage.py"_s, "x\n"));
            Parsed p;
            QVERIFY(suggest(folder, p));
            QCOMPARE(p.spec.image.entrypoint,
                     (QStringList{u"python"_s, u"manage.py"_s, u"runserver"_s, u"0.0.0.0:8000"_s}));
        }
        // Nothing to run: the text says to set it, and still parses.
        Folder folder;
        QVERIFY(folder.write(u"requirements.txt"_s, "requests\n"));
        QVERIFY(folder.write(u"tool/helpers.py"_s, "x\n"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QVERIFY(p.spec.image.entrypoint.isEmpty());
        QVERIFY(p.suggested.why.contains(u"set its entrypoint"_s));
    }

    void goWithAndWithoutABinary()
    {
        {
            Folder folder;
            QVERIFY(folder.write(u"go.mod"_s, "module example.com/acme/hello\n\ngo 1.22\n"));
            QVERIFY(folder.write(u"main.go"_s, "package main\n"));
            QVERIFY(folder.write(u"bin/hello"_s,
                                 "\x7f"
                                 "ELF",
                                 true));
            Parsed p;
            QVERIFY(suggest(folder, p));
            QCOMPARE(p.suggested.kind, u"go"_s);
            QVERIFY(p.suggested.why.contains(u"bin/hello"_s));
            QCOMPARE(p.spec.image.base, u"gcr.io/distroless/static-debian12"_s);
            QCOMPARE(p.spec.image.entrypoint, QStringList{u"/app/bin/hello"_s});
            QCOMPARE(p.spec.image.user, u"65532"_s);
            QCOMPARE(p.spec.layers.size(), 1);
            QCOMPARE(p.spec.layers.at(0).include, QStringList{u"bin/hello"_s});
        }
        // Without one it says Slipway compiles nothing and how to build it.
        Folder folder;
        QVERIFY(folder.write(u"go.mod"_s, "module example.com/acme/hello/v2\n"));
        QVERIFY(folder.write(u"main.go"_s, "package main\n"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QVERIFY2(p.suggested.why.contains(u"builds no code"_s), qPrintable(p.suggested.why));
        QVERIFY(p.suggested.text.contains(u"CGO_ENABLED=0 go build -o hello ."_s));
        QCOMPARE(p.spec.image.entrypoint, QStringList{u"/app/hello"_s});
    }

    // A Dockerfile without RUN or COPY --from: its settings go into [image], its files into
    // layers, and no engine is needed.
    void dockerfileSettingsCarriedOver()
    {
        Folder folder;
        // Continuation lines, comments, an unused stage, exec and shell forms, old and new ENV.
        QVERIFY(folder.write(u"Dockerfile"_s, "# syntax=docker/dockerfile:1\n"
                                              "FROM golang:1.22 AS build\n"
                                              "WORKDIR /src\n"
                                              "\n"
                                              "FROM --platform=linux/amd64 node:20-alpine\n"
                                              "WORKDIR /srv\n"
                                              "WORKDIR www\n"
                                              "ENV NODE_ENV=production \\\n"
                                              "    GREETING=\"hello \\\"you\\\"\"\n"
                                              "ENV OLD old style value\n"
                                              "LABEL org.opencontainers.image.title=\"demo\"\n"
                                              "COPY . .\n"
                                              "EXPOSE 8080/tcp 9090\n"
                                              "USER node\n"
                                              "HEALTHCHECK CMD wget -q -O- localhost:8080\n"
                                              "ENTRYPOINT [\"node\", \"server.js\"]\n"
                                              "CMD [\"--port\", \"8080\"]\n"));
        QVERIFY(folder.write(u"server.js"_s, "x"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.suggested.kind, u"dockerfile"_s);
        QVERIFY2(p.suggested.why.contains(u"node:20-alpine"_s), qPrintable(p.suggested.why));
        QCOMPARE(p.spec.image.base, u"docker.io/library/node:20-alpine"_s);
        QCOMPARE(p.spec.image.workdir, u"/srv/www"_s);
        QCOMPARE(p.spec.image.entrypoint, (QStringList{u"node"_s, u"server.js"_s}));
        QCOMPARE(p.spec.image.cmd, (QStringList{u"--port"_s, u"8080"_s}));
        QCOMPARE(p.spec.image.env.value(u"NODE_ENV"_s), u"production"_s);
        QCOMPARE(p.spec.image.env.value(u"GREETING"_s), u"hello \"you\""_s);
        QCOMPARE(p.spec.image.env.value(u"OLD"_s), u"old style value"_s);
        QCOMPARE(p.spec.image.labels.value(u"org.opencontainers.image.title"_s), u"demo"_s);
        QCOMPARE(p.spec.image.user, u"node"_s);
        QCOMPARE(p.spec.image.expose, (QList<int>{8080, 9090}));
        QCOMPARE(p.spec.layers.constLast().dest, u"/srv/www"_s);
        QCOMPARE(p.spec.deploy.ports, QStringList{u"8080:8080"_s});
        // What Slipway cannot do is said, not silently dropped.
        QVERIFY(p.suggested.text.contains(u"HEALTHCHECK"_s));
        // The Dockerfile's shell form runs through /bin/sh -c, as Docker does.
        Folder shell;
        QVERIFY(shell.write(u"Containerfile"_s, "FROM scratch\nCMD /app/run --fast\n"));
        QVERIFY(shell.write(u"run"_s, "x", true));
        QVERIFY(suggest(shell, p));
        QCOMPARE(p.spec.image.base, u"scratch"_s);
        QCOMPARE(p.spec.image.cmd, (QStringList{u"/bin/sh"_s, u"-c"_s, u"/app/run --fast"_s}));
        QVERIFY(p.suggested.text.contains(u"scratch has no /bin/sh"_s));
        QVERIFY(p.suggested.text.contains(u"FROM scratch in the Containerfile"_s));
        QVERIFY(!p.suggested.text.contains(u"Dockerfile"_s));
        QCOMPARE(p.spec.layers.constLast().dest, u"/app"_s);
    }

    // RUN steps or another stage's files need the Dockerfile itself: the suggestion is a
    // Dockerfile build ([build], no [image] or [[layers]]), [deploy] from its EXPOSE.
    void dockerfileWithRunStepsIsBuiltByAnEngine()
    {
        Folder folder;
        QVERIFY(folder.write(u"Dockerfile"_s, "FROM golang:1.22 AS build\n"
                                              "WORKDIR /src\n"
                                              "COPY . .\n"
                                              "RUN go build -o /out/app .\n"
                                              "FROM debian:12-slim\n"
                                              "COPY --from=build /out/app /usr/local/bin/app\n"
                                              "EXPOSE 8080\n"
                                              "CMD [\"app\"]\n"));
        QVERIFY(folder.write(u"main.go"_s, "package main\n"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.suggested.kind, u"dockerfile-build"_s);
        QCOMPARE(
            p.suggested.why,
            u"Found a Dockerfile with 1 RUN step(s) and 1 COPY --from: an engine builds it, port 8080."_s);
        QVERIFY(p.spec.layers.isEmpty());
        QCOMPARE(p.spec.build.dockerfile, u"Dockerfile"_s);
        QVERIFY(!p.suggested.text.contains(u"[image]"_s));
        QCOMPARE(p.spec.deploy.ports, QStringList{u"8080:8080"_s});

        Folder containerfile;
        QVERIFY(containerfile.write(u"Containerfile"_s, "FROM alpine:3.20\nRUN apk add curl\n"));
        QVERIFY(suggest(containerfile, p));
        QCOMPARE(p.spec.build.dockerfile, u"Containerfile"_s);
    }

    void oddCharactersRoundTrip()
    {
        Folder folder;
        // Exec form is JSON: tabs, control characters, quotes and backslashes survive into TOML.
        QVERIFY(folder.write(u"Dockerfile"_s, "FROM scratch\n"
                                              "ENTRYPOINT [\"/app/run\", \"tab\\there\", \"ctl\\u0001x\","
                                              " \"q\\\"uote\", \"back\\\\slash\", \"caf\xc3\xa9\"]\n"
                                              "LABEL \"a.b\"=\"x y\"\n"));
        QVERIFY(folder.write(u"run"_s, "x", true));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.spec.image.entrypoint,
                 (QStringList{u"/app/run"_s, u"tab\there"_s, QString(u"ctl"_s + QChar(1) + u'x'),
                              u"q\"uote"_s, u"back\\slash"_s, u"caf\u00e9"_s}));
        QCOMPARE(p.spec.image.labels.value(u"a.b"_s), u"x y"_s);
    }

    void dockerfileFromAStageOrAnArgument()
    {
        Folder folder;
        QVERIFY(folder.write(u"Dockerfile"_s, "FROM python:3.12-slim AS base\nENV PIP_NO_CACHE_DIR=1\n"
                                              "FROM base\nCOPY . /code\n"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.spec.image.base, u"docker.io/library/python:3.12-slim"_s);
        QCOMPARE(p.spec.layers.constLast().dest, u"/code"_s);
        QVERIFY(p.suggested.text.contains(u"its stage 'base'"_s));

        Folder arg;
        QVERIFY(arg.write(u"Dockerfile"_s, "ARG IMAGE=alpine\nFROM ${IMAGE}\n"));
        QVERIFY(suggest(arg, p));
        QCOMPARE(p.spec.image.base, u"docker.io/library/alpine:3.20"_s);
        QVERIFY(p.suggested.text.contains(u"not a plain image reference"_s));
    }

    void fallbackPacksEverything()
    {
        Folder folder(u"Tools!"_s);
        QVERIFY(folder.write(u"start.sh"_s, "#!/bin/sh\n", true));
        QVERIFY(folder.write(u"README"_s, "hi\n"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        QCOMPARE(p.suggested.kind, u"files"_s);
        QCOMPARE(p.spec.image.base, u"docker.io/library/alpine:3.20"_s);
        QCOMPARE(layerNames(p.spec), QStringList{u"app"_s});
        QCOMPARE(p.spec.layers.at(0).include, QStringList{u"**"_s});
        QCOMPARE(p.spec.deploy.name, u"tools-"_s);
        QVERIFY(p.suggested.text.contains(u"set it"_s));
    }

    void dockerignoreAndGitAreLeftOut()
    {
        Folder folder;
        QVERIFY(folder.write(u"package.json"_s, "{\"scripts\": {\"start\": \"node a.js\"}}"));
        QVERIFY(folder.write(u"a.js"_s, "x"));
        QVERIFY(folder.write(u"node_modules/x/index.js"_s, "x"));
        QVERIFY(folder.write(u".dockerignore"_s, "node_modules\n"));
        QVERIFY(folder.write(u".git/HEAD"_s, "ref: refs/heads/main\n"));
        Parsed p;
        QVERIFY(suggest(folder, p));
        // node_modules is ignored: a deps layer would take no file and break the build.
        QCOMPARE(layerNames(p.spec), QStringList{u"app"_s});
    }

    void badInputNamesTheFolder()
    {
        Folder empty(u"empty-one"_s);
        const Result<SuggestedSpec> none = suggestSpec(empty.path());
        QVERIFY(!none);
        QCOMPARE(none.error().kind, Error::Kind::BadInput);
        QVERIFY2(none.error().message.contains(u"empty-one"_s), qPrintable(none.error().message));
        const Result<SuggestedSpec> missing = suggestSpec(empty.path() + u"/nowhere"_s);
        QVERIFY(!missing);
        QVERIFY(missing.error().message.contains(u"nowhere"_s));
        // A stop request ends the walk.
        std::stop_source stop;
        stop.request_stop();
        Folder some;
        QVERIFY(some.write(u"a"_s, "x"));
        const Result<SuggestedSpec> stopped = suggestSpec(some.path(), stop.get_token());
        QVERIFY(!stopped);
        QCOMPARE(stopped.error().kind, Error::Kind::Cancelled);
    }

    void overAGitCommit()
    {
        test::GitRepo repo;
        QVERIFY(repo.isValid());
        QVERIFY(repo.writeFile(u"index.html"_s, "<p>x</p>"));
        QVERIFY(repo.writeFile(u"requirements.txt"_s, "flask\n"));
        QVERIFY(repo.writeFile(u"main.py"_s, "x\n"));
        QVERIFY(!repo.commit(u"first"_s).isEmpty());
        // Uncommitted files are not in the commit: the suggestion is about what a build reads.
        QVERIFY(repo.writeFile(u"Dockerfile"_s, "FROM scratch\n"));
        auto source = GitSource::openLocal(repo.path(), repo.path(), QString());
        QVERIFY2(source, source ? "" : qPrintable(source.error().message));
        const Result<SuggestedSpec> suggested = suggestSpec(*source.value(), u"repo"_s);
        QVERIFY2(suggested, suggested ? "" : qPrintable(suggested.error().message));
        QCOMPARE(suggested->kind, u"python"_s);
        const Result<Spec> spec = parseSpec(suggested->text.toUtf8());
        QVERIFY(spec);
        QCOMPARE(spec->image.entrypoint, (QStringList{u"python"_s, u"main.py"_s}));
        QCOMPARE(spec->deploy.name, u"repo"_s);
    }
};

QTEST_GUILESS_MAIN(TestSuggestSpec)
#include "tst_suggestspec.moc"
