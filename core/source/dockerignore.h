#pragma once

#include "util/glob.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace slipway {

// The rules of a .dockerignore file, with Docker's meaning (moby/patternmatcher):
// one pattern per line; lines starting with '#' are comments; surrounding whitespace, a
// leading '/', "./", "//" and a trailing '/' do not matter ("a/../b" is "b"); '!' makes an
// exception that re-includes; the last matching line wins; a pattern that matches a directory
// matches everything under it.
class DockerIgnore
{
public:
    DockerIgnore() = default;

    // fileName names the file in errors ("DIR/.dockerignore line 3: ...").
    static Result<DockerIgnore> parse(const QByteArray &contents, const QString &fileName);

    // True when `path` (relative, '/'-separated) is left out.
    bool excludes(const QString &path) const;
    // For an excluded directory: true when no exception could re-include anything below it, so
    // the walk need not enter it.
    bool canSkipDirectory(const QString &path) const;

    bool isEmpty() const { return m_rules.isEmpty(); }
    // The normalised patterns, exceptions with their '!', in file order.
    QStringList patterns() const;

private:
    struct Rule
    {
        Glob glob;
        bool exception = false;
        QList<Glob> segments; // one glob per '/'-separated segment; empty for "**"
        QList<bool> doubleStar;
    };
    QList<Rule> m_rules;
    bool m_hasExceptions = false;
};

} // namespace slipway
