#include "imagebuilder/baseimages.h"

#include "engine/engineclient.h"
#include "events/event.h"
#include "registry/credentials.h"

#include <QRegularExpression>
#include <QSet>

namespace slipway {
namespace {

struct Instruction
{
    QString keyword; // upper-case
    QString arguments;
    int line = 0; // where it starts, 1-based
};

// The instructions of a Dockerfile, continuation lines joined, comments and blank lines out.
QList<Instruction> instructionsOf(const QByteArray &dockerfile)
{
    const QStringList lines = QString::fromUtf8(dockerfile).split(u'\n');
    QChar escape = u'\\';
    // Parser directives ("# escape=`") come first, before any other line.
    static const QRegularExpression directive(QStringLiteral(R"(^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$)"));
    for (const QString &line : lines) {
        const auto match = directive.match(line.trimmed());
        if (!match.hasMatch())
            break;
        if (match.captured(1).compare(QStringLiteral("escape"), Qt::CaseInsensitive) == 0 &&
            match.captured(2).size() == 1)
            escape = match.captured(2).at(0);
    }

    static const QRegularExpression keyword(QStringLiteral(R"(^([A-Za-z]+)(?:\s+(.*))?$)"));
    QList<Instruction> instructions;
    QString pending;
    int start = 0;
    const auto flush = [&] {
        if (const auto match = keyword.match(pending.trimmed()); match.hasMatch())
            instructions.append(Instruction{match.captured(1).toUpper(), match.captured(2).trimmed(), start});
        pending.clear();
    };
    for (int i = 0; i < lines.size(); ++i) {
        // Comment and blank lines are skipped, inside a continued instruction too.
        QString text = lines.at(i);
        while (!text.isEmpty() && text.back().isSpace())
            text.chop(1);
        if (text.trimmed().isEmpty() || text.trimmed().startsWith(u'#'))
            continue;
        if (pending.isEmpty())
            start = i + 1;
        const bool continues = text.endsWith(escape);
        if (continues)
            text.chop(1);
        pending += text + u' ';
        if (!continues)
            flush();
    }
    flush();
    return instructions;
}

// `text` with $NAME, ${NAME}, ${NAME:-word} and ${NAME:+word} replaced from `variables`; a name
// without a value is empty, as the engine makes it.
QString substitute(const QString &text, const QMap<QString, QString> &variables)
{
    static const QRegularExpression reference(
        QStringLiteral(R"(\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}))"));
    QString result;
    qsizetype at = 0;
    for (auto it = reference.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        result += text.mid(at, match.capturedStart() - at);
        at = match.capturedEnd();
        const QString name = match.hasCaptured(1) ? match.captured(1) : match.captured(2);
        const QString value = variables.value(name);
        if (match.captured(3) == u"-")
            result += value.isEmpty() ? substitute(match.captured(4), variables) : value;
        else if (match.captured(3) == u"+")
            result += value.isEmpty() ? QString() : substitute(match.captured(4), variables);
        else
            result += value;
    }
    return result + text.mid(at);
}

QString unquoted(const QString &text)
{
    if (text.size() >= 2 && (text.front() == u'"' || text.front() == u'\'') && text.back() == text.front())
        return text.mid(1, text.size() - 2);
    return text;
}

} // namespace

QList<DockerfileBase> dockerfileBases(const QByteArray &dockerfile, const QMap<QString, QString> &buildArgs)
{
    static const QRegularExpression space(QStringLiteral(R"(\s+)"));
    QMap<QString, QString> variables; // the ARGs before the first FROM
    QSet<QString> stages;             // names of the stages so far, lower-case
    QSet<QString> seen;
    QList<DockerfileBase> bases;
    bool fromSeen = false;
    for (const Instruction &instruction : instructionsOf(dockerfile)) {
        const QStringList words = instruction.arguments.split(space, Qt::SkipEmptyParts);
        if (instruction.keyword == u"ARG" && !fromSeen) {
            for (const QString &word : words) {
                const qsizetype equals = word.indexOf(u'=');
                const QString name = equals < 0 ? word : word.left(equals);
                if (buildArgs.contains(name))
                    variables.insert(name, buildArgs.value(name));
                else if (equals >= 0)
                    variables.insert(name, substitute(unquoted(word.mid(equals + 1)), variables));
                else
                    variables.insert(name, QString());
            }
            continue;
        }
        if (instruction.keyword != u"FROM")
            continue;
        fromSeen = true;
        QStringList operands;
        for (const QString &word : words)
            if (!word.startsWith(QStringLiteral("--")))
                operands.append(word);
        if (operands.isEmpty())
            continue;
        const QString image = substitute(operands.at(0), variables);
        const bool earlierStage = stages.contains(image.toLower());
        if (operands.size() >= 3 && operands.at(1).compare(QStringLiteral("AS"), Qt::CaseInsensitive) == 0)
            stages.insert(operands.at(2).toLower());
        if (earlierStage || image.compare(QStringLiteral("scratch"), Qt::CaseInsensitive) == 0)
            continue;
        auto reference = ImageReference::parse(image);
        if (!reference || seen.contains(reference->toString()))
            continue;
        seen.insert(reference->toString());
        bases.append(DockerfileBase{image, reference.value(), instruction.line});
    }
    return bases;
}

Status pullCredentialedBases(EngineClient &client, const QByteArray &dockerfile, const QString &name,
                             const QMap<QString, QString> &buildArgs, const QString &dataDir,
                             EventSink &events)
{
    const QList<DockerfileBase> bases = dockerfileBases(dockerfile, buildArgs);
    if (bases.isEmpty())
        return success();
    const CredentialStore credentials = CredentialStore::fromEnvironment(dataDir);
    for (const DockerfileBase &base : bases) {
        const QString where = QStringLiteral("%1:%2: FROM %3").arg(name).arg(base.line).arg(base.text);
        const QString &registry = base.reference.registry;
        auto credential = credentials.find(registry);
        if (!credential)
            return Error(credential.error().kind, where + QStringLiteral(": ") + credential.error().message);
        if (!credential.value())
            continue; // the engine pulls it as it would have, or has it
        const QString reference = base.reference.toString();
        // One the engine has already is used as it is, as `docker build` without --pull would:
        // no pull (and no registry rate limit spent) on every build.
        if (auto present = client.inspectImage(reference); present && present.value())
            continue;
        events.log(
            LogLevel::Info, QStringLiteral("build"),
            QStringLiteral("pulling base %1 with the credential saved for %2").arg(reference, registry));
        const Status pulled = isInsecureByDefault(registry)
                                  ? client.pullFromLoopback(reference, credential.value(), registry)
                                  : client.pull(reference, credential.value(), registry);
        if (!pulled)
            return Error(pulled.error().kind, QStringLiteral("%1: pull with the credential for %2: %3")
                                                  .arg(where, registry, pulled.error().message));
    }
    return success();
}

} // namespace slipway
