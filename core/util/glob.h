#pragma once

#include "util/result.h"

#include <QString>

#include <memory>

namespace slipway {

// A path glob as slipway.toml's include/exclude and .dockerignore use them. Paths and patterns
// are '/'-separated and relative (a leading '/' or "./" in the pattern is ignored).
//   *       any run of characters within one path segment (not '/')
//   ?       one character, not '/'
//   [abc] [a-z] [!a-z]  one character of (or not of) the set, not '/'
//   **      as a whole segment: zero or more segments ("vendor/**", "**/*.js", "a/**/b")
//   \x      x literally
// A pattern matches the whole path, never a prefix: "vendor" matches "vendor" only.
// Copyable; matching is const and thread-safe.
class Glob
{
public:
    // BadInput error naming the pattern for an unclosed '[' or a '**' inside a segment ("a**b").
    static Result<Glob> compile(const QString &pattern);

    bool matches(const QString &path) const;
    QString pattern() const;

private:
    struct Compiled;
    std::shared_ptr<const Compiled> m_compiled;
};

} // namespace slipway
