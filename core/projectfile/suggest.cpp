#include "projectfile/suggest.h"
#include "projectfile/suggestdraft.h"

#include "projectfile/spec.h"
#include "registry/imagereference.h"
#include "source/dockerignore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <utility>

namespace slipway {

using namespace Qt::StringLiterals;
using namespace suggest;

namespace suggest {

// Dependencies that change less often than the code get a layer of their own, so that a
// commit that touches only the code does not rebuild (or re-upload) them.
void addDepsLayer(Draft &draft, const Repository &repo, const QString &dest)
{
    for (const QString &directory : {u"node_modules"_s, u"vendor"_s})
        if (repo.hasUnder(directory)) {
            draft.layers.append(LayerDraft{
                .comment = directory +
                           u"/ changes less often than the code: in a layer of its own it is rebuilt\n"
                           u"and uploaded again only when it changes."_s,
                .name = u"deps"_s,
                .include = {directory + u"/**"_s},
                .dest = dest});
            return;
        }
}

void addAppLayer(Draft &draft, const QString &dest, const QString &why)
{
    draft.layers.append(LayerDraft{.comment = why.isEmpty() ? u"Everything else in the repository."_s : why,
                                   .name = u"app"_s,
                                   .include = {u"**"_s},
                                   .dest = dest});
}

} // namespace suggest

namespace {

// Root files bigger than this are not what they seem (a package.json is a few kilobytes).
constexpr qint64 kMaxRootFile = 1024 * 1024;

// A TOML basic string.
QString tomlString(const QString &s)
{
    QString out = u"\""_s;
    for (const QChar c : s) {
        switch (c.unicode()) {
        case '\\':
            out += u"\\\\"_s;
            break;
        case '"':
            out += u"\\\""_s;
            break;
        case '\n':
            out += u"\\n"_s;
            break;
        case '\t':
            out += u"\\t"_s;
            break;
        case '\r':
            out += u"\\r"_s;
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                out += u"\\u%1"_s.arg(uint(c.unicode()), 4, 16, QChar(u'0'));
            else
                out += c;
        }
    }
    return out + u'"';
}

QString tomlList(const QStringList &list)
{
    QStringList items;
    for (const QString &s : list)
        items << tomlString(s);
    return u'[' + items.join(u", "_s) + u']';
}

QString tomlKey(const QString &key)
{
    static const QRegularExpression bare(u"^[A-Za-z0-9_-]+$"_s);
    return bare.match(key).hasMatch() ? key : tomlString(key);
}

QString tomlTable(const QList<std::pair<QString, QString>> &pairs)
{
    QStringList items;
    for (const auto &[key, value] : pairs)
        items << tomlKey(key) + u" = "_s + tomlString(value);
    return u"{ "_s + items.join(u", "_s) + u" }"_s;
}

void comment(QString &out, const QString &text)
{
    if (text.isEmpty())
        return;
    for (const QString &line : text.split(u'\n'))
        out += u"# "_s + line + u'\n';
}

void renderImage(QString &out, const Draft &draft);
void renderDeploy(QString &out, const Draft &draft);

QString render(const Draft &draft)
{
    QString out;
    comment(out, u"slipway.toml suggested by Slipway.\n"_s + draft.why);
    if (!draft.dockerfile.isEmpty()) {
        comment(out, u"No [[layers]]: a target's engine builds the Dockerfile (its RUN steps, stages and\n"
                     u"cache), then Slipway pushes, deploys and records it as any release. Review every\n"
                     u"line; see docs/slipway-toml.md."_s);
        for (const QString &note : draft.notes)
            comment(out, note);
        out += u"\n[build]\n"_s;
        out += u"dockerfile = "_s + tomlString(draft.dockerfile) + u'\n';
        comment(out, u"Built on the first target's engine; name another with engine = \"TARGET\"."_s);
    } else {
        comment(out, u"Slipway compiles and installs nothing: it packs the repository's files into layers\n"
                     u"on top of a base image. Review every line; see docs/slipway-toml.md."_s);
        for (const QString &note : draft.notes)
            comment(out, note);
        renderImage(out, draft);
    }
    renderDeploy(out, draft);
    return out;
}

void renderImage(QString &out, const Draft &draft)
{
    out += u"\n[image]\n"_s;
    comment(out, draft.baseComment);
    out += u"base = "_s + tomlString(draft.base) + u'\n';
    if (!draft.workdir.isEmpty())
        out += u"workdir = "_s + tomlString(draft.workdir) + u'\n';
    comment(out, draft.entrypointComment);
    if (!draft.entrypoint.isEmpty())
        out += u"entrypoint = "_s + tomlList(draft.entrypoint) + u'\n';
    if (!draft.cmd.isEmpty())
        out += u"cmd = "_s + tomlList(draft.cmd) + u'\n';
    if (!draft.env.isEmpty()) {
        comment(out, draft.envComment);
        out += u"env = "_s + tomlTable(draft.env) + u'\n';
    }
    if (!draft.user.isEmpty())
        out += u"user = "_s + tomlString(draft.user) + u'\n';
    if (!draft.expose.isEmpty()) {
        QStringList ports;
        for (int port : draft.expose)
            ports << QString::number(port);
        out += u"expose = ["_s + ports.join(u", "_s) + u"]\n"_s;
    }
    if (!draft.labels.isEmpty())
        out += u"labels = "_s + tomlTable(draft.labels) + u'\n';

    for (const LayerDraft &layer : draft.layers) {
        out += u"\n[[layers]]\n"_s;
        comment(out, layer.comment);
        out += u"name = "_s + tomlString(layer.name) + u'\n';
        out += u"include = "_s + tomlList(layer.include) + u'\n';
        out += u"dest = "_s + tomlString(layer.dest) + u'\n';
    }
}

void renderDeploy(QString &out, const Draft &draft)
{
    out += u"\n[deploy]\n"_s;
    if (!draft.deployName.isEmpty())
        out += u"name = "_s + tomlString(draft.deployName) + u'\n';
    if (!draft.expose.isEmpty()) {
        const QString port = QString::number(draft.expose.constFirst());
        comment(out, u"Published on the target's port %1; change the left side to use another."_s.arg(port));
        out += u"ports = [\""_s + port + u':' + port + u"\"]\n"_s;
    }
    if (!draft.healthPath.isEmpty()) {
        comment(out, u"A new container must answer this before the old one is retired."_s);
        out += u"health = { path = "_s + tomlString(draft.healthPath) + u", timeout = \"30s\" }\n"_s;
    } else if (!draft.expose.isEmpty()) {
        comment(out,
                u"Uncomment with a path the app answers, so a broken release never replaces a working one:\n"
                u"health = { path = \"/healthz\", timeout = \"30s\" }"_s);
    }
    out += u"restart = \"unless-stopped\"\n"_s;
    if (draft.stopTimeout >= 0) {
        comment(out, draft.stopTimeoutComment);
        out += u"stop_timeout = "_s + QString::number(draft.stopTimeout) + u'\n';
    }
}

// [deploy] name allows [a-z0-9][a-z0-9_.-]*.
QString containerName(const QString &name)
{
    QString out;
    for (const QChar c : name.toLower())
        out += (c.isLetterOrNumber() && c.unicode() < 0x80) || c == u'_' || c == u'.' || c == u'-' ? c : u'-';
    while (!out.isEmpty() && !(out.front().isLetterOrNumber()))
        out.remove(0, 1);
    return out.left(63);
}

// ---- Node.js ----------------------------------------------------------------------------------

bool fromPackageJson(Draft &draft, const Repository &repo)
{
    const QJsonObject package = QJsonDocument::fromJson(repo.read(u"package.json"_s)).object();
    const QString start = package.value(u"scripts"_s).toObject().value(u"start"_s).toString().trimmed();
    const QString main = package.value(u"main"_s).toString().trimmed();
    QString what;
    if (!start.isEmpty()) {
        // "node server.js" is run directly (npm would add a process and swallow signals); anything
        // else through npm start.
        static const QRegularExpression plainNode(u"^node\\s+([A-Za-z0-9_./-]+)$"_s);
        if (const auto match = plainNode.match(start); match.hasMatch()) {
            draft.entrypoint = {u"node"_s, match.captured(1)};
            draft.entrypointComment =
                u"The start script of package.json (\"%1\"), run directly: node receives the stop signal."_s
                    .arg(start);
        } else {
            draft.entrypoint = {u"npm"_s, u"start"_s};
            draft.entrypointComment = u"The start script of package.json (\"%1\")."_s.arg(start);
        }
        what = u"Found package.json with a start script"_s;
    } else if (!main.isEmpty() && repo.has(QDir::cleanPath(main))) {
        draft.entrypoint = {u"node"_s, QDir::cleanPath(main)};
        draft.entrypointComment = u"The main file of package.json."_s;
        what = u"Found package.json with a main file (%1)"_s.arg(main);
    } else {
        return false; // maybe a site built by npm: let the static-site check look
    }
    draft.kind = u"node"_s;
    draft.base = u"docker.io/library/node:20-alpine"_s;
    draft.baseComment = u"Node.js 20 on Alpine: node and npm, and little else."_s;
    draft.workdir = u"/app"_s;
    draft.env = {{u"NODE_ENV"_s, u"production"_s}, {u"PORT"_s, u"3000"_s}};
    draft.envComment = u"NODE_ENV=production: libraries leave out their development paths. PORT: where most\n"
                       u"Node.js apps listen when told, 3000 by convention (exposed and published below)."_s;
    draft.expose = {3000};
    if (!repo.hasUnder(u"node_modules"_s) && !package.value(u"dependencies"_s).toObject().isEmpty())
        draft.notes
            << u"package.json has dependencies but there is no node_modules/: Slipway does not run npm\n"
               u"install. Run `npm ci --omit=dev` before building a folder, or vendor them."_s;
    addDepsLayer(draft, repo, u"/app"_s);
    addAppLayer(draft, u"/app"_s);
    draft.why = what + u": a Node.js app on node:20-alpine, port 3000."_s;
    return true;
}

// ---- Python -----------------------------------------------------------------------------------

bool fromPython(Draft &draft, const Repository &repo)
{
    const bool requirements = repo.has(u"requirements.txt"_s);
    const bool pyproject = repo.has(u"pyproject.toml"_s);
    if (!requirements && !pyproject)
        return false;
    draft.kind = u"python"_s;
    draft.base = u"docker.io/library/python:3.12-slim"_s;
    draft.baseComment = u"Python 3.12 on Debian slim."_s;
    draft.workdir = u"/app"_s;
    draft.env = {{u"PYTHONUNBUFFERED"_s, u"1"_s}, {u"PORT"_s, u"8000"_s}};
    draft.envComment =
        u"PYTHONUNBUFFERED: log lines reach the log at once. PORT: 8000, the usual port of Python\n"
        u"web servers (exposed and published below)."_s;
    draft.expose = {8000};

    QString module;
    if (repo.has(u"manage.py"_s)) {
        draft.entrypoint = {u"python"_s, u"manage.py"_s, u"runserver"_s, u"0.0.0.0:8000"_s};
        draft.entrypointComment =
            u"A Django project (manage.py). The development server: use gunicorn or uvicorn\n"
            u"in production if the base has it."_s;
        module = u"manage.py"_s;
    } else {
        for (const QString &candidate :
             {u"app.py"_s, u"main.py"_s, u"server.py"_s, u"wsgi.py"_s, u"run.py"_s})
            if (repo.has(candidate)) {
                module = candidate;
                break;
            }
        if (!module.isEmpty()) {
            draft.entrypoint = {u"python"_s, module};
            draft.entrypointComment =
                u"%1 at the root: the usual name of an app's entry module."_s.arg(module);
        } else {
            // A package with a __main__.py runs with python -m.
            for (const SourceFile &file : repo.files()) {
                const QStringList parts = file.path.split(u'/');
                if (parts.size() == 2 && parts.at(1) == u"__main__.py") {
                    module = parts.at(0);
                } else if (parts.size() == 3 && parts.at(0) == u"src" && parts.at(2) == u"__main__.py") {
                    module = parts.at(1);
                    draft.env.append({u"PYTHONPATH"_s, u"/app/src"_s});
                }
                if (!module.isEmpty())
                    break;
            }
            if (!module.isEmpty()) {
                draft.entrypoint = {u"python"_s, u"-m"_s, module};
                draft.entrypointComment = u"The package %1 has a __main__.py: run as a module."_s.arg(module);
            } else {
                draft.entrypointComment =
                    u"No app.py, main.py, server.py, wsgi.py or __main__.py found: set the entrypoint, e.g.\n"
                    u"entrypoint = [\"python\", \"yourapp.py\"]"_s;
            }
        }
    }
    if (repo.hasUnder(u"vendor"_s)) {
        draft.env.append({u"PYTHONPATH"_s, u"/app/vendor"_s});
        draft.env.removeIf(
            [](const auto &pair) { return pair.first == u"PYTHONPATH" && pair.second == u"/app/src"; });
    }
    draft.notes << u"Slipway does not run pip: install the dependencies into the tree before building\n"
                   u"(pip install -r requirements.txt --target vendor), or use a base image that has them."_s;
    addDepsLayer(draft, repo, u"/app"_s);
    addAppLayer(draft, u"/app"_s);
    const QString source = requirements ? u"requirements.txt"_s : u"pyproject.toml"_s;
    draft.why =
        module.isEmpty()
            ? u"Found %1: a Python app on python:3.12-slim, port 8000 (set its entrypoint)."_s.arg(source)
            : u"Found %1 and %2: a Python app on python:3.12-slim, port 8000."_s.arg(source, module);
    return true;
}

// ---- Go ---------------------------------------------------------------------------------------

bool fromGoMod(Draft &draft, const Repository &repo)
{
    if (!repo.has(u"go.mod"_s))
        return false;
    QString module;
    for (const QString &line : QString::fromUtf8(repo.read(u"go.mod"_s)).split(u'\n'))
        if (line.trimmed().startsWith(u"module "_s))
            module = line.trimmed().mid(7).trimmed().remove(u'"');
    QString binary = module.section(u'/', -1);
    if (binary.isEmpty() || (binary.startsWith(u'v') && binary.mid(1).toInt() > 1))
        binary = module.section(u'/', -2, -2); // example.com/app/v2 builds "app"
    draft.kind = u"go"_s;
    draft.base = u"gcr.io/distroless/static-debian12"_s;
    draft.baseComment =
        u"Distroless static: CA certificates, time zones and a non-root user, no shell. For a\n"
        u"binary built with CGO_ENABLED=0."_s;
    draft.workdir = u"/app"_s;
    draft.user = u"65532"_s;
    draft.env = {{u"PORT"_s, u"8080"_s}};
    draft.envComment =
        u"PORT: 8080 by convention (exposed and published below). The user 65532 is distroless's\n"
        u"\"nonroot\"."_s;
    draft.expose = {8080};

    // A binary someone built already: the module's name at the root or in bin/, executable.
    QString found;
    for (const QString &candidate : QStringList{binary, u"bin/"_s + binary})
        if (const SourceFile *file = repo.file(candidate); file && file->kind == SourceFile::Kind::Executable)
            found = candidate;
    if (!found.isEmpty()) {
        draft.entrypoint = {u"/app/"_s + found};
        draft.entrypointComment = u"The binary %1 found in the repository."_s.arg(found);
        draft.layers.append(
            LayerDraft{.comment = u"Only the binary: the Go sources are not needed at run time."_s,
                       .name = u"app"_s,
                       .include = {found},
                       .dest = u"/app"_s});
        draft.why =
            u"Found go.mod and a built binary (%1): it goes on distroless/static, port 8080."_s.arg(found);
    } else {
        const QString name = binary.isEmpty() ? u"app"_s : binary;
        draft.entrypoint = {u"/app/"_s + name};
        draft.entrypointComment =
            u"Slipway does not compile Go. Build the binary first, for example\n"
            u"CGO_ENABLED=0 go build -o %1 .\n"
            u"and keep it in the folder (or commit it), then set include below to [\"%1\"]."_s.arg(name);
        addAppLayer(draft, u"/app"_s, u"Everything for now; once the binary is there, include only it."_s);
        draft.why =
            u"Found go.mod but no built binary: Slipway builds no code, so build ./%1 first; it goes on "
            u"distroless/static, port 8080."_s.arg(name);
    }
    return true;
}

// ---- Static site ------------------------------------------------------------------------------

bool fromStaticSite(Draft &draft, const Repository &repo)
{
    QString folder;
    for (const QString &candidate : {u"dist"_s, u"public"_s, u"build"_s, u"site"_s, u"_site"_s})
        if (repo.has(candidate + u"/index.html"_s)) {
            folder = candidate;
            break;
        }
    if (folder.isEmpty() && !repo.has(u"index.html"_s))
        return false;
    draft.kind = u"static"_s;
    draft.base = u"docker.io/library/busybox:1.36"_s;
    draft.baseComment = u"BusyBox: a 4 MB image whose httpd serves static files."_s;
    const QString root = folder.isEmpty() ? u"/srv/site"_s : u"/srv/"_s + folder;
    draft.workdir = root;
    draft.entrypoint = {u"httpd"_s, u"-f"_s, u"-p"_s, u"8080"_s, u"-h"_s, root};
    draft.entrypointComment = u"httpd in the foreground, serving %1 on port 8080."_s.arg(root);
    draft.expose = {8080};
    draft.healthPath = u"/"_s;
    draft.stopTimeout = 1;
    draft.stopTimeoutComment =
        u"httpd as PID 1 ignores SIGTERM: do not wait the default 10 s for it to stop."_s;
    if (folder.isEmpty()) {
        addAppLayer(draft, u"/srv/site"_s, u"The whole repository is the site."_s);
        draft.why = u"Found index.html at the root: a static site served by BusyBox httpd, port 8080."_s;
    } else {
        draft.layers.append(LayerDraft{
            .comment = u"Only %1/, the built site; the rest of the repository stays out."_s.arg(folder),
            .name = u"site"_s,
            .include = {folder + u"/**"_s},
            .dest = u"/srv"_s});
        draft.why = u"Found %1/index.html: a static site served by BusyBox httpd, port 8080."_s.arg(folder);
    }
    return true;
}

void fallback(Draft &draft, const Repository &repo)
{
    draft.kind = u"files"_s;
    draft.base = u"docker.io/library/alpine:3.20"_s;
    draft.baseComment = u"A small base with a shell: the files are there to look at and to run."_s;
    draft.workdir = u"/app"_s;
    draft.entrypointComment = u"Nothing tells what the app runs: set it, e.g.\n"
                              u"entrypoint = [\"/app/start.sh\"]"_s;
    addDepsLayer(draft, repo, u"/app"_s);
    addAppLayer(draft, u"/app"_s);
    draft.why = u"Found no Dockerfile, package.json, requirements.txt, pyproject.toml, go.mod or index.html: "
                u"all the files go to /app on alpine:3.20; set the entrypoint."_s;
}

} // namespace

Result<SuggestedSpec> suggestSpec(const QList<SourceFile> &files, const RootFileReader &read,
                                  const QString &name)
{
    if (files.isEmpty())
        return Error::badInput(u"%1: no files to suggest a slipway.toml for"_s.arg(name));
    const Repository repo(files, read);
    Draft draft;
    if (repo.has(u"Dockerfile"_s))
        fromDockerfile(draft, repo, u"Dockerfile"_s);
    else if (repo.has(u"Containerfile"_s))
        fromDockerfile(draft, repo, u"Containerfile"_s);
    else if (!(repo.has(u"package.json"_s) && fromPackageJson(draft, repo)) && !fromPython(draft, repo) &&
             !fromGoMod(draft, repo) && !fromStaticSite(draft, repo))
        fallback(draft, repo);
    draft.deployName = containerName(name);

    SuggestedSpec suggested{.text = render(draft), .why = draft.why, .kind = draft.kind};
    // The suggestion must build: parsed, and each layer taking files.
    const Result<Spec> spec = parseSpec(suggested.text.toUtf8());
    if (!spec)
        return Error::failed(
            u"%1: the suggested slipway.toml does not parse: %2"_s.arg(name, spec.error().message));
    if (auto assigned = assignFiles(spec.value(), files); !assigned)
        return Error::failed(u"%1: the suggested slipway.toml: %2"_s.arg(name, assigned.error().message));
    return suggested;
}

Result<SuggestedSpec> suggestSpec(const Source &source, const QString &name)
{
    return suggestSpec(
        source.files(), [&source](const QString &file) { return source.readRootFile(file); }, name);
}

namespace {

// Every file under `root`, as a directory build sees it (paths only).
Status walk(const QString &root, const QString &relative, const DockerIgnore &ignore,
            QList<SourceFile> &files, const std::stop_token &stop)
{
    if (stop.stop_requested())
        return Error::cancelled(u"%1: stopped"_s.arg(root));
    const QDir dir(relative.isEmpty() ? root : root + u'/' + relative);
    const QFileInfoList entries =
        dir.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &entry : entries) {
        const QString path = relative.isEmpty() ? entry.fileName() : relative + u'/' + entry.fileName();
        if (path == u".git" || path == u".dockerignore")
            continue;
        if (entry.isDir() && !entry.isSymLink()) {
            if (ignore.excludes(path) && ignore.canSkipDirectory(path))
                continue;
            if (Status status = walk(root, path, ignore, files, stop); !status)
                return status;
            continue;
        }
        if (ignore.excludes(path) || !(entry.isFile() || entry.isSymLink()))
            continue;
        SourceFile file;
        file.path = path;
        file.kind = entry.isSymLink()      ? SourceFile::Kind::Symlink
                    : entry.isExecutable() ? SourceFile::Kind::Executable
                                           : SourceFile::Kind::Regular;
        file.size = entry.size();
        files.append(file);
    }
    return success();
}

} // namespace

Result<SuggestedSpec> suggestSpec(const QString &directory, std::stop_token stop)
{
    const QFileInfo info(directory);
    if (!info.isDir())
        return Error::badInput(u"%1: not a folder"_s.arg(directory));
    const QString root = info.absoluteFilePath();
    DockerIgnore ignore;
    if (QFile file(root + u"/.dockerignore"_s); file.open(QIODevice::ReadOnly)) {
        auto parsed = DockerIgnore::parse(file.read(kMaxRootFile), directory + u"/.dockerignore"_s);
        if (!parsed)
            return parsed.error();
        ignore = parsed.value();
    }
    QList<SourceFile> files;
    if (Status status = walk(root, QString(), ignore, files, stop); !status)
        return status.error();
    // Sorted as a build sorts them (by the UTF-8 bytes), so layer checks see the same order.
    std::sort(files.begin(), files.end(),
              [](const SourceFile &a, const SourceFile &b) { return a.path.toUtf8() < b.path.toUtf8(); });
    const RootFileReader read = [&root, &directory](const QString &name) -> Result<QByteArray> {
        QFile file(root + u'/' + name);
        if (!file.open(QIODevice::ReadOnly))
            return Error::failed(u"%1/%2: %3"_s.arg(directory, name, file.errorString()));
        return file.read(kMaxRootFile);
    };
    return suggestSpec(files, read, info.fileName());
}

} // namespace slipway
