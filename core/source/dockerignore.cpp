#include "source/dockerignore.h"

#include "source/sourcepaths.h"

namespace slipway {

namespace {

// Go's filepath.Clean for a relative '/'-separated pattern, minus any leading '/'.
QString cleanPattern(const QString &pattern)
{
    QStringList kept;
    const bool absolute = pattern.startsWith(u'/');
    for (const QString &segment : pattern.split(u'/', Qt::SkipEmptyParts)) {
        if (segment == QLatin1String("."))
            continue;
        if (segment == QLatin1String("..") && !kept.isEmpty() && kept.last() != QLatin1String("..")) {
            kept.removeLast();
            continue;
        }
        if (segment == QLatin1String("..") && absolute)
            continue; // "/.." is "/"
        kept.append(segment);
    }
    return kept.join(u'/');
}

} // namespace

Result<DockerIgnore> DockerIgnore::parse(const QByteArray &contents, const QString &fileName)
{
    DockerIgnore ignore;
    QByteArray text = contents;
    if (text.startsWith("\xef\xbb\xbf"))
        text.remove(0, 3);
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const int lineNumber = int(index) + 1;
        QByteArray line = lines[index];
        if (line.endsWith('\r'))
            line.chop(1);
        // As Docker does: a comment only when '#' is the very first character.
        if (line.startsWith('#'))
            continue;
        const std::optional<QString> decoded = decodeUtf8Path(line);
        if (!decoded)
            return Error::badInput(
                QStringLiteral("%1 line %2: not valid UTF-8").arg(fileName).arg(lineNumber));
        QString pattern = decoded->trimmed();
        if (pattern.isEmpty())
            continue;
        Rule rule;
        if (pattern.startsWith(u'!')) {
            rule.exception = true;
            pattern = pattern.mid(1).trimmed();
            if (pattern.isEmpty())
                return Error::badInput(
                    QStringLiteral("%1 line %2: '!' without a pattern").arg(fileName).arg(lineNumber));
        }
        pattern = cleanPattern(pattern);
        if (pattern.isEmpty())
            continue; // "/" or "." would exclude the whole context; Docker ignores them as well
        Result<Glob> glob = Glob::compile(pattern);
        if (!glob)
            return Error::badInput(
                QStringLiteral("%1 line %2: %3").arg(fileName).arg(lineNumber).arg(glob.error().message));
        rule.glob = *glob;
        for (const QString &segment : pattern.split(u'/')) {
            const bool doubleStar = segment == QLatin1String("**");
            rule.doubleStar.append(doubleStar);
            Result<Glob> segmentGlob = Glob::compile(doubleStar ? QStringLiteral("*") : segment);
            if (!segmentGlob)
                return Error::badInput(QStringLiteral("%1 line %2: %3")
                                           .arg(fileName)
                                           .arg(lineNumber)
                                           .arg(segmentGlob.error().message));
            rule.segments.append(*segmentGlob);
        }
        ignore.m_hasExceptions = ignore.m_hasExceptions || rule.exception;
        ignore.m_rules.append(std::move(rule));
    }
    return ignore;
}

bool DockerIgnore::excludes(const QString &path) const
{
    if (m_rules.isEmpty())
        return false;
    // The path's parent directories: "a", "a/b" for "a/b/c".
    QList<QStringView> parents;
    for (qsizetype slash = path.indexOf(u'/'); slash >= 0; slash = path.indexOf(u'/', slash + 1))
        parents.append(QStringView(path).left(slash));
    bool excluded = false;
    for (const Rule &rule : m_rules) {
        if (excluded != rule.exception)
            continue; // this rule could not change the outcome
        bool matched = rule.glob.matches(path);
        for (qsizetype i = 0; !matched && i < parents.size(); ++i)
            matched = rule.glob.matches(parents[i].toString());
        if (matched)
            excluded = !rule.exception;
    }
    return excluded;
}

bool DockerIgnore::canSkipDirectory(const QString &path) const
{
    if (!m_hasExceptions)
        return true;
    const QStringList dirSegments = path.split(u'/');
    for (const Rule &rule : m_rules) {
        if (!rule.exception)
            continue;
        // Could this exception match the directory, a parent, or something below it?
        bool couldMatch = true;
        for (qsizetype i = 0; i < rule.segments.size() && i < dirSegments.size(); ++i) {
            if (rule.doubleStar[i])
                break; // "**" reaches anywhere below
            if (!rule.segments[i].matches(dirSegments[i])) {
                couldMatch = false;
                break;
            }
        }
        if (couldMatch)
            return false;
    }
    return true;
}

QStringList DockerIgnore::patterns() const
{
    QStringList out;
    for (const Rule &rule : m_rules)
        out.append(rule.exception ? QString(QStringLiteral("!") + rule.glob.pattern()) : rule.glob.pattern());
    return out;
}

} // namespace slipway
