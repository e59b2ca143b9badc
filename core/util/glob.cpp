#include "util/glob.h"

#include <QStringView>

#include <optional>
#include <utility>
#include <vector>

namespace slipway {

namespace {

// One code point of `s` at `i`: its value and how many UTF-16 units it takes.
std::pair<char32_t, qsizetype> codePointAt(QStringView s, qsizetype i)
{
    const QChar c = s[i];
    if (c.isHighSurrogate() && i + 1 < s.size() && s[i + 1].isLowSurrogate())
        return {QChar::surrogateToUcs4(c, s[i + 1]), 2};
    return {c.unicode(), 1};
}

struct Token
{
    enum class Kind
    {
        Literal, // `text`
        AnyChar, // ?
        Star,    // *
        Class,   // [...]
    };
    Kind kind = Kind::Literal;
    QString text;
    bool negated = false;
    std::vector<std::pair<char32_t, char32_t>> ranges;

    bool classContains(char32_t c) const
    {
        bool in = false;
        for (const auto &[lo, hi] : ranges) {
            if (c >= lo && c <= hi) {
                in = true;
                break;
            }
        }
        return in != negated;
    }
};

struct Segment
{
    enum class Kind
    {
        DoubleStar, // ** : zero or more segments
        Star,       // *  : any one segment
        Literal,    // `literal` exactly
        Pattern,    // `tokens`
    };
    Kind kind = Kind::Literal;
    QString literal;
    std::vector<Token> tokens;
    QString prefix; // a Pattern's leading literal, checked before any backtracking
    QString suffix; // a Pattern's trailing literal, likewise

    bool matches(QStringView s) const
    {
        switch (kind) {
        case Kind::DoubleStar:
        case Kind::Star:
            return true;
        case Kind::Literal:
            return s == literal;
        case Kind::Pattern:
            break;
        }
        if (s.size() < prefix.size() + suffix.size() || !s.startsWith(prefix) || !s.endsWith(suffix))
            return false;
        return matchTokens(s);
    }

    // Greedy matching with backtracking to the last '*': every other token consumes a length
    // fixed by the text at its position, so retrying from the last star alone is enough.
    bool matchTokens(QStringView s) const
    {
        const qsizetype tokenCount = qsizetype(tokens.size());
        qsizetype ti = 0;
        qsizetype si = 0;
        qsizetype starToken = -1;
        qsizetype starPos = 0;
        for (;;) {
            if (ti < tokenCount) {
                const Token &t = tokens[size_t(ti)];
                if (t.kind == Token::Kind::Star) {
                    starToken = ti++;
                    starPos = si;
                    continue;
                }
                const qsizetype n = consume(t, s, si);
                if (n >= 0) {
                    si += n;
                    ++ti;
                    continue;
                }
            } else if (si == s.size()) {
                return true;
            }
            if (starToken < 0 || starPos >= s.size())
                return false;
            starPos += codePointAt(s, starPos).second;
            si = starPos;
            ti = starToken + 1;
        }
    }

    // Units of `s` that `t` takes at `i`, or -1.
    static qsizetype consume(const Token &t, QStringView s, qsizetype i)
    {
        switch (t.kind) {
        case Token::Kind::Literal:
            return s.sliced(i).startsWith(t.text) ? t.text.size() : -1;
        case Token::Kind::AnyChar:
            return i < s.size() ? codePointAt(s, i).second : -1;
        case Token::Kind::Class: {
            if (i >= s.size())
                return -1;
            const auto [c, n] = codePointAt(s, i);
            return t.classContains(c) ? n : -1;
        }
        case Token::Kind::Star:
            break;
        }
        return -1;
    }
};

} // namespace

struct Glob::Compiled
{
    QString pattern;
    std::vector<Segment> segments;
    bool matchesEverything = false; // the pattern is "**"
    std::optional<QString> literalPath;
};

namespace {

class Compiler
{
public:
    explicit Compiler(const QString &pattern)
        : m_pattern(pattern)
    {}

    Result<std::vector<Segment>> run()
    {
        const QStringView p(m_pattern);
        qsizetype i = 0;
        while (i < p.size()) {
            const QChar c = p[i];
            if (c == u'/') {
                finishSegment();
                ++i;
            } else if (c == u'\\') {
                if (i + 1 >= p.size())
                    return fail(QStringLiteral("ends with a lone '\\' (write '\\\\' for a backslash)"));
                const qsizetype n = codePointAt(p, i + 1).second;
                appendLiteral(p.sliced(i + 1, n));
                m_raw += u'\\';
                i += 1 + n;
            } else if (c == u'*') {
                if (i + 1 < p.size() && p[i + 1] == u'*') {
                    const bool wholeSegment = m_raw.isEmpty() && (i + 2 == p.size() || p[i + 2] == u'/');
                    if (!wholeSegment)
                        return fail(QStringLiteral("'**' must be a whole path segment, as in \"a/**/b\" "
                                                   "(within a segment, use '*')"));
                    m_raw = QStringLiteral("**");
                    i += 2;
                    continue;
                }
                Token t;
                t.kind = Token::Kind::Star;
                m_tokens.push_back(std::move(t));
                m_raw += c;
                ++i;
            } else if (c == u'?') {
                Token t;
                t.kind = Token::Kind::AnyChar;
                m_tokens.push_back(std::move(t));
                m_raw += c;
                ++i;
            } else if (c == u'[') {
                auto next = parseClass(p, i);
                if (!next.ok())
                    return next.error();
                m_raw += c;
                i = next.value();
            } else {
                const qsizetype n = codePointAt(p, i).second;
                appendLiteral(p.sliced(i, n));
                m_raw += p.sliced(i, n);
                i += n;
            }
        }
        finishSegment();
        return std::move(m_segments);
    }

private:
    Error fail(const QString &what) const
    {
        return Error::badInput(QStringLiteral("glob \"%1\": %2").arg(m_pattern, what));
    }

    void appendLiteral(QStringView text)
    {
        if (m_tokens.empty() || m_tokens.back().kind != Token::Kind::Literal) {
            Token t;
            t.kind = Token::Kind::Literal;
            m_tokens.push_back(std::move(t));
        }
        m_tokens.back().text += text;
    }

    // Parses "[...]" starting at `start`; returns the index after the closing ']'.
    Result<qsizetype> parseClass(QStringView p, qsizetype start)
    {
        Token t;
        t.kind = Token::Kind::Class;
        qsizetype i = start + 1;
        if (i < p.size() && (p[i] == u'!' || p[i] == u'^')) {
            t.negated = true;
            ++i;
        }
        const Error unclosed = fail(QStringLiteral("'[' at column %1 is not closed by ']'").arg(start + 1));
        // One member of the set; a ']' first in the set is a member, not the end.
        auto member = [&](char32_t &out) -> bool {
            if (i >= p.size())
                return false;
            if (p[i] == u'\\') {
                if (++i >= p.size())
                    return false;
            }
            const auto [cp, n] = codePointAt(p, i);
            out = cp;
            i += n;
            return true;
        };
        bool first = true;
        for (;;) {
            if (i >= p.size())
                return unclosed;
            if (p[i] == u']' && !first) {
                m_tokens.push_back(std::move(t));
                return i + 1;
            }
            first = false;
            char32_t lo = 0;
            if (!member(lo))
                return unclosed;
            char32_t hi = lo;
            if (i + 1 < p.size() && p[i] == u'-' && p[i + 1] != u']') {
                ++i;
                if (!member(hi))
                    return unclosed;
                if (hi < lo)
                    return fail(QStringLiteral("the range at column %1 runs backwards").arg(start + 1));
            }
            t.ranges.emplace_back(lo, hi);
        }
    }

    void finishSegment()
    {
        Segment s;
        if (m_raw == QLatin1String("**")) {
            // "**/**" is "**".
            if (m_segments.empty() || m_segments.back().kind != Segment::Kind::DoubleStar) {
                s.kind = Segment::Kind::DoubleStar;
                m_segments.push_back(std::move(s));
            }
        } else if (m_raw.isEmpty() || m_raw == QLatin1String(".")) {
            // A leading '/', "./", "//" or a trailing '/': nothing to match.
        } else if (m_tokens.size() == 1 && m_tokens.front().kind == Token::Kind::Literal) {
            s.kind = Segment::Kind::Literal;
            s.literal = m_tokens.front().text;
            m_segments.push_back(std::move(s));
        } else if (m_tokens.size() == 1 && m_tokens.front().kind == Token::Kind::Star) {
            s.kind = Segment::Kind::Star;
            m_segments.push_back(std::move(s));
        } else {
            // The leading and trailing literals stay tokens; the copies are a quick reject.
            s.kind = Segment::Kind::Pattern;
            if (m_tokens.front().kind == Token::Kind::Literal)
                s.prefix = m_tokens.front().text;
            if (m_tokens.back().kind == Token::Kind::Literal)
                s.suffix = m_tokens.back().text;
            s.tokens = std::move(m_tokens);
            m_segments.push_back(std::move(s));
        }
        m_tokens.clear();
        m_raw.clear();
    }

    const QString &m_pattern;
    std::vector<Segment> m_segments;
    std::vector<Token> m_tokens; // of the segment being read
    QString m_raw;               // the segment being read, escapes shown as '\'
};

} // namespace

Result<Glob> Glob::compile(const QString &pattern)
{
    auto segments = Compiler(pattern).run();
    if (!segments.ok())
        return segments.error();

    auto compiled = std::make_shared<Compiled>();
    compiled->pattern = pattern;
    compiled->segments = std::move(segments).value();
    const auto &segs = compiled->segments;
    compiled->matchesEverything = segs.size() == 1 && segs.front().kind == Segment::Kind::DoubleStar;
    bool allLiteral = true;
    for (const Segment &s : segs)
        allLiteral = allLiteral && s.kind == Segment::Kind::Literal;
    if (allLiteral) {
        QString path;
        for (const Segment &s : segs) {
            if (!path.isEmpty())
                path += u'/';
            path += s.literal;
        }
        compiled->literalPath = path;
    }

    Glob glob;
    glob.m_compiled = std::move(compiled);
    return glob;
}

QString Glob::pattern() const
{
    return m_compiled ? m_compiled->pattern : QString();
}

bool Glob::matches(const QString &path) const
{
    if (!m_compiled)
        return false;
    const Compiled &c = *m_compiled;
    if (c.matchesEverything)
        return true;
    if (c.literalPath)
        return path == *c.literalPath;

    // Segment-wise matching with backtracking to the last "**", over the path's segments as
    // they come (no splitting up front). `pos` is where the current path segment starts;
    // past the end means no segment is left.
    const QStringView p(path);
    const qsizetype end = p.size() + 1;
    const qsizetype patternCount = qsizetype(c.segments.size());
    qsizetype pi = 0;
    qsizetype pos = p.isEmpty() ? end : 0;
    qsizetype starSegment = -1;
    qsizetype starPos = 0;
    auto nextStart = [&](qsizetype from) {
        const qsizetype slash = p.indexOf(u'/', from);
        return slash < 0 ? end : slash + 1;
    };
    while (pos < end) {
        if (pi < patternCount) {
            const Segment &s = c.segments[size_t(pi)];
            if (s.kind == Segment::Kind::DoubleStar) {
                starSegment = pi++;
                starPos = pos;
                continue;
            }
            const qsizetype next = nextStart(pos);
            const qsizetype segmentEnd = next == end ? p.size() : next - 1;
            if (s.matches(p.sliced(pos, segmentEnd - pos))) {
                ++pi;
                pos = next;
                continue;
            }
        }
        if (starSegment < 0)
            return false;
        starPos = nextStart(starPos);
        pos = starPos;
        pi = starSegment + 1;
    }
    while (pi < patternCount && c.segments[size_t(pi)].kind == Segment::Kind::DoubleStar)
        ++pi;
    return pi == patternCount;
}

} // namespace slipway
