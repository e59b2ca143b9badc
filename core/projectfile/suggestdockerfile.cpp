// The Dockerfile part of a slipway.toml suggestion: see suggestdraft.h.

#include "projectfile/suggestdraft.h"
#include "registry/imagereference.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>

#include <algorithm>

namespace slipway::suggest {

using namespace Qt::StringLiterals;

namespace {

// Words of a Dockerfile line as a shell would split them (quotes and backslashes), without
// expansion: enough for ENV, LABEL, EXPOSE, COPY and FROM.
QStringList shellWords(const QString &text)
{
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else if (c == u'\\' && quote == u'"' && i + 1 < text.size())
                word += text.at(++i);
            else
                word += c;
        } else if (c == u'"' || c == u'\'') {
            quote = c;
            inWord = true;
        } else if (c == u'\\' && i + 1 < text.size()) {
            word += text.at(++i);
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    return words;
}

// "KEY=value KEY2=value2" or the old "KEY value with spaces".
QList<std::pair<QString, QString>> keyValues(const QString &text)
{
    QList<std::pair<QString, QString>> pairs;
    const QStringList words = shellWords(text);
    if (words.isEmpty())
        return pairs;
    if (!words.constFirst().contains(u'=')) {
        const QString rest = text.trimmed().mid(words.constFirst().size()).trimmed();
        const QStringList value = shellWords(rest);
        pairs.append({words.constFirst(), value.join(u' ')});
        return pairs;
    }
    for (const QString &word : words) {
        const qsizetype eq = word.indexOf(u'=');
        if (eq > 0)
            pairs.append({word.left(eq), word.mid(eq + 1)});
    }
    return pairs;
}

// Exec form (a JSON array) as it is; shell form as Docker runs it: /bin/sh -c "...".
QStringList commandOf(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.startsWith(u'[')) {
        const QJsonDocument json =
            QJsonDocument::fromJson(u"{\"c\":"_s.append(trimmed).append(u'}').toUtf8());
        QStringList list;
        for (const QJsonValue &value : json.object().value(u"c"_s).toArray())
            list << value.toString();
        if (!list.isEmpty())
            return list;
    }
    return {u"/bin/sh"_s, u"-c"_s, trimmed};
}

QString absoluteIn(const QString &base, const QString &path)
{
    const QString joined = path.startsWith(u'/') ? path : (base.isEmpty() ? u"/"_s : base) + u'/' + path;
    QString clean = QDir::cleanPath(joined);
    return clean.isEmpty() ? u"/"_s : clean;
}

struct Stage
{
    QString from;
    QString alias;
};

} // namespace

void fromDockerfile(Draft &draft, const Repository &repo, const QString &fileName)
{
    // Continuation lines joined, comments and blank lines dropped.
    QStringList lines;
    QString pending;
    for (const QString &raw : QString::fromUtf8(repo.read(fileName)).split(u'\n')) {
        const QString line = raw.trimmed();
        if (pending.isEmpty() && (line.isEmpty() || line.startsWith(u'#')))
            continue;
        if (line.endsWith(u'\\')) {
            pending += line.chopped(1) + u' ';
            continue;
        }
        lines << pending + line;
        pending.clear();
    }
    if (!pending.isEmpty())
        lines << pending;

    QList<Stage> stages;
    QString workdir;
    QString copyDest;
    int runSteps = 0;
    int stageCopies = 0; // COPY --from: files another stage made
    QStringList skipped;
    for (const QString &line : std::as_const(lines)) {
        const qsizetype space = line.indexOf(QRegularExpression(u"\\s"_s));
        const QString instruction = (space < 0 ? line : line.left(space)).toUpper();
        const QString rest = space < 0 ? QString() : line.mid(space + 1).trimmed();
        if (instruction == u"FROM") {
            QStringList words = shellWords(rest);
            words.removeIf([](const QString &w) { return w.startsWith(u"--"_s); });
            Stage stage;
            stage.from = words.value(0);
            if (words.size() >= 3 && words.at(1).compare(u"as"_s, Qt::CaseInsensitive) == 0)
                stage.alias = words.at(2);
            stages.append(stage);
            // Each stage starts afresh; what counts is the last one.
            workdir.clear();
            copyDest.clear();
            draft.entrypoint.clear();
            draft.cmd.clear();
            draft.env.clear();
            draft.user.clear();
            draft.expose.clear();
            draft.labels.clear();
        } else if (instruction == u"WORKDIR") {
            workdir = absoluteIn(workdir, shellWords(rest).value(0));
        } else if (instruction == u"ENTRYPOINT") {
            draft.entrypoint = commandOf(rest);
            draft.cmd.clear(); // as Docker does: a new entrypoint drops the cmd set before it
        } else if (instruction == u"CMD") {
            draft.cmd = commandOf(rest);
        } else if (instruction == u"ENV") {
            for (const auto &pair : keyValues(rest)) {
                draft.env.removeIf([&](const auto &old) { return old.first == pair.first; });
                draft.env.append(pair);
            }
        } else if (instruction == u"LABEL") {
            for (const auto &pair : keyValues(rest))
                draft.labels.append(pair);
        } else if (instruction == u"USER") {
            draft.user = shellWords(rest).value(0);
        } else if (instruction == u"EXPOSE") {
            for (const QString &word : shellWords(rest)) {
                bool ok = false;
                const int port = word.section(u'/', 0, 0).toInt(&ok);
                if (ok && port >= 1 && port <= 65535 && !draft.expose.contains(port))
                    draft.expose.append(port);
            }
        } else if (instruction == u"COPY" || instruction == u"ADD") {
            QStringList words = shellWords(rest);
            if (rest.startsWith(u'[')) {
                words = commandOf(rest);
            }
            const bool fromStage = std::any_of(words.cbegin(), words.cend(),
                                               [](const QString &w) { return w.startsWith(u"--from"_s); });
            if (fromStage)
                ++stageCopies;
            words.removeIf([](const QString &w) { return w.startsWith(u"--"_s); });
            // COPY . DEST: the whole build context, which is what Slipway's layers hold.
            if (!fromStage && words.size() == 2 && (words.at(0) == u"." || words.at(0) == u"./"))
                copyDest = absoluteIn(workdir, words.at(1));
        } else if (instruction == u"RUN") {
            ++runSteps;
        } else if (instruction != u"ARG") {
            skipped << instruction;
        }
    }

    draft.kind = u"dockerfile"_s;
    QString from = stages.isEmpty() ? QString() : stages.constLast().from;
    // The last stage may start from an earlier one: its base is what that stage started from.
    for (int hops = 0; hops < stages.size(); ++hops) {
        const auto earlier = std::find_if(stages.cbegin(), stages.cend(),
                                          [&](const Stage &stage) { return stage.alias == from; });
        if (earlier == stages.cend() || earlier->from == from)
            break;
        draft.notes
            << u"The Dockerfile's last stage starts from its stage '%1'; what that stage built is not\n"
               u"carried over, only the image it started from."_s.arg(from);
        from = earlier->from;
    }
    QString baseShown = from;
    if (from.compare(u"scratch"_s, Qt::CaseInsensitive) == 0) {
        draft.base = u"scratch"_s;
        draft.baseComment = u"FROM scratch in the Dockerfile: nothing under the app's files."_s;
    } else if (auto reference = ImageReference::parse(from); reference && !from.contains(u'$')) {
        draft.base = reference->toString();
        baseShown = reference->familiar();
        draft.baseComment = u"FROM %1 in the Dockerfile."_s.arg(from);
    } else {
        draft.base = u"docker.io/library/alpine:3.20"_s;
        baseShown = u"alpine:3.20"_s;
        draft.baseComment =
            from.isEmpty()
                ? u"The Dockerfile has no FROM: a small Alpine base instead."_s
                : u"FROM %1 in the Dockerfile is not a plain image reference (build arguments are\n"
                  u"not expanded): a small Alpine base instead; put the image you meant here."_s.arg(from);
    }
    draft.workdir = workdir;
    draft.envComment = u"ENV (and below LABEL, USER, EXPOSE) as the Dockerfile's last stage sets them."_s;
    if (!draft.entrypoint.isEmpty() || !draft.cmd.isEmpty())
        draft.entrypointComment =
            u"ENTRYPOINT and CMD as the Dockerfile has them (shell form runs through /bin/sh -c,\n"
            u"as Docker does)."_s;
    if (runSteps > 0)
        draft.notes
            << u"The Dockerfile's %1 RUN step(s) are not carried over: Slipway runs nothing at build\n"
               u"time. What they install or compile must already be in the repository or in the base image."_s
                   .arg(runSteps);
    if (stageCopies > 0)
        draft.notes
            << u"The Dockerfile's %1 COPY --from step(s) are not carried over: what another stage built\n"
               u"must be built beforehand and be in the repository."_s.arg(stageCopies);
    const auto usesShell = [](const QStringList &command) {
        return command.size() == 3 && command.at(0) == u"/bin/sh" && command.at(1) == u"-c";
    };
    if (draft.base == u"scratch" && (usesShell(draft.entrypoint) || usesShell(draft.cmd)))
        draft.notes
            << u"scratch has no /bin/sh: write ENTRYPOINT or CMD in exec form ([\"/app/run\", ...]), or\n"
               u"pick a base with a shell."_s;
    skipped.removeDuplicates();
    if (!skipped.isEmpty())
        draft.notes << u"Not carried over (Slipway has no such setting): "_s + skipped.join(u", "_s) + u'.';

    // RUN steps and other stages' files need the Dockerfile itself: an engine builds it.
    if (runSteps > 0 || stageCopies > 0) {
        draft.kind = u"dockerfile-build"_s;
        draft.dockerfile = fileName;
        draft.notes.clear();
        QString what =
            u"Found a %1 with %2 RUN step(s)%3: an engine builds it"_s.arg(fileName).arg(runSteps).arg(
                stageCopies > 0 ? u" and %1 COPY --from"_s.arg(stageCopies) : QString());
        if (!draft.expose.isEmpty())
            what += u", port %1"_s.arg(draft.expose.constFirst());
        draft.why = what + u'.';
        return;
    }
    const QString dest = !copyDest.isEmpty() ? copyDest : (!workdir.isEmpty() ? workdir : u"/app"_s);
    addDepsLayer(draft, repo, dest);
    addAppLayer(draft, dest,
                copyDest.isEmpty()
                    ? u"The Dockerfile copies no whole folder (COPY . DEST): the files go to %1; narrow\n"
                      u"include to what the image needs."_s.arg(dest)
                    : u"COPY . %1 in the Dockerfile: the repository's files under %1."_s.arg(dest));
    QString what = u"Found a %1: an image on %2"_s.arg(fileName, baseShown);
    if (!draft.expose.isEmpty())
        what += u", port %1"_s.arg(draft.expose.constFirst());
    draft.why = what + u", with its settings carried over."_s;
    // The same words for a Containerfile.
    if (fileName != u"Dockerfile") {
        const auto rename = [&fileName](QString &text) {
            text.replace(u"the Dockerfile"_s, u"the "_s + fileName)
                .replace(u"The Dockerfile"_s, u"The "_s + fileName);
        };
        for (QString &note : draft.notes)
            rename(note);
        rename(draft.baseComment);
        rename(draft.entrypointComment);
        rename(draft.envComment);
        for (LayerDraft &layer : draft.layers)
            rename(layer.comment);
    }
}

} // namespace slipway::suggest
