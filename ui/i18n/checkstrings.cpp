// checkstrings: fails the build on a user-visible QML string that is not translatable.
//
//   checkstrings STAMP FILE.qml...
//
// A binding of a property the user reads (text, title, placeholderText, ToolTip.text,
// Accessible.name, ...) may hold a string literal with letters only inside qsTr() (or
// qsTranslate, qsTrId). Literals that are compared (`state === "done"`), passed to a function
// other than .arg() (`Theme.stateIcon("failed")`) or indexed (`row["name"]`) are code, not
// text; a line with a `// notr: why` comment is exempt (a product name, a command the user types). Each
// offence is one line, "FILE:LINE: ..."; on none, STAMP is written for the build to depend on.

#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>
#include <QStringList>
#include <QTextStream>

namespace {

// A property the user reads being bound, at a line's start or after "{" or ";" (inline
// `Label { text: ...; opacity: 0.7 }`), the QML module's own properties included.
const QRegularExpression &bindingStart()
{
    static const QRegularExpression re(QStringLiteral(
        R"((?:^|[{;])\s*(text|title|subtitle|heading|explanation|placeholderText|ToolTip\.text|)"
        R"(Accessible\.name|Accessible\.description)\s*:)"));
    return re;
}

// The line without its // comment (a "//" inside a string stays).
QString withoutComment(const QString &line)
{
    QChar quote;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (!quote.isNull()) {
            if (c == u'\\')
                ++i;
            else if (c == quote)
                quote = QChar();
        } else if (c == u'"' || c == u'\'' || c == u'`') {
            quote = c;
        } else if (c == u'/' && i + 1 < line.size() && line.at(i + 1) == u'/') {
            return line.left(i);
        }
    }
    return line;
}

// Whether a binding goes on past `text`, given the line after it.
bool continues(const QString &text, const QString &next, int depth)
{
    if (depth > 0)
        return true;
    const QString end = text.trimmed();
    const QString start = next.trimmed();
    static const QStringList trailing{QStringLiteral("?"),  QStringLiteral(":"), QStringLiteral("+"),
                                      QStringLiteral("("),  QStringLiteral(","), QStringLiteral("&&"),
                                      QStringLiteral("||"), QStringLiteral("=")};
    static const QStringList leading{QStringLiteral("?"),  QStringLiteral(":"),  QStringLiteral("+"),
                                     QStringLiteral("&&"), QStringLiteral("||"), QStringLiteral(".")};
    for (const QString &op : trailing)
        if (end.endsWith(op))
            return true;
    for (const QString &op : leading)
        if (start.startsWith(op))
            return true;
    return false;
}

// The name of the call whose parentheses enclose position `at`, or "" when none does; "[" when
// the nearest open bracket is an index.
QString enclosingCall(const QString &text, qsizetype at)
{
    int depth = 0;
    for (qsizetype i = at - 1; i >= 0; --i) {
        const QChar c = text.at(i);
        if (c == u')' || c == u']') {
            ++depth;
        } else if (c == u'(' || c == u'[') {
            if (depth > 0) {
                --depth;
                continue;
            }
            if (c == u'[')
                return QStringLiteral("[");
            qsizetype end = i;
            while (end > 0 && text.at(end - 1).isSpace())
                --end;
            qsizetype begin = end;
            while (begin > 0 && (text.at(begin - 1).isLetterOrNumber() || text.at(begin - 1) == u'_'))
                --begin;
            return text.mid(begin, end - begin);
        }
    }
    return {};
}

bool translator(const QString &call)
{
    return call == u"qsTr" || call == u"qsTranslate" || call == u"qsTrId" || call == u"QT_TR_NOOP" ||
           call == u"QT_TRANSLATE_NOOP";
}

// The literals of `text` a user would read untranslated.
QStringList untranslated(const QString &text)
{
    QStringList found;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar quote = text.at(i);
        if (quote != u'"' && quote != u'\'' && quote != u'`')
            continue;
        qsizetype end = i + 1;
        while (end < text.size() && text.at(end) != quote)
            end += text.at(end) == u'\\' ? 2 : 1;
        const QString literal = text.mid(i + 1, end - i - 1);
        const QString before = text.left(i).trimmed();
        const QString after = text.mid(end + 1).trimmed();
        const qsizetype start = i;
        i = end;
        // Words, not escapes ("\n") or symbols ("✓", " · ").
        static const QRegularExpression escape(QStringLiteral(R"(\\.)"));
        static const QRegularExpression letter(QStringLiteral("[A-Za-z]"));
        if (!QString(literal).remove(escape).contains(letter))
            continue;
        const bool compared = before.endsWith(u'=') || after.startsWith(QStringLiteral("==")) ||
                              after.startsWith(QStringLiteral("!="));
        if (compared)
            continue;
        const QString call = enclosingCall(text, start);
        if (translator(call) || call == u"[" || (!call.isEmpty() && call != u"arg"))
            continue;
        found.append(literal);
    }
    return found;
}

struct Binding
{
    QString text;
};

// The expression bound at `column` of line `row`: up to a ";" or a "}" that closes nothing, or
// the end of the line, going on to the next lines while brackets are open or an operator says
// the expression is not over (a line ending in "?", one starting with ":").
Binding bindingAt(const QStringList &lines, qsizetype row, qsizetype column)
{
    Binding binding;
    int depth = 0;
    QChar quote;
    qsizetype at = row;
    QString line = withoutComment(lines.at(at)).mid(column);
    while (true) {
        for (qsizetype i = 0; i < line.size(); ++i) {
            const QChar c = line.at(i);
            if (!quote.isNull()) {
                if (c == u'\\')
                    binding.text += line.at(i++);
                else if (c == quote)
                    quote = QChar();
            } else if (c == u'"' || c == u'\'' || c == u'`') {
                quote = c;
            } else if (c == u'(' || c == u'[' || c == u'{') {
                ++depth;
            } else if (c == u')' || c == u']' || c == u'}') {
                if (depth == 0)
                    return binding;
                --depth;
            } else if (c == u';' && depth == 0) {
                return binding;
            }
            if (i < line.size())
                binding.text += line.at(i);
        }
        if (at + 1 >= lines.size() || at - row >= 40 || !continues(binding.text, lines.at(at + 1), depth) ||
            lines.at(at + 1).contains(QStringLiteral("// notr")))
            return binding;
        line = withoutComment(lines.at(++at));
        binding.text += u'\n';
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments().mid(1);
    QTextStream err(stderr);
    if (arguments.size() < 2) {
        err << "usage: checkstrings STAMP FILE.qml...\n";
        return 2;
    }
    int offences = 0;
    for (const QString &path : arguments.mid(1)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
            err << path << ": cannot read: " << file.errorString() << '\n';
            return 2;
        }
        const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
        for (qsizetype row = 0; row < lines.size(); ++row) {
            if (lines.at(row).contains(QStringLiteral("// notr")))
                continue;
            const QString line = withoutComment(lines.at(row));
            auto matches = bindingStart().globalMatch(line);
            while (matches.hasNext()) {
                const auto match = matches.next();
                const Binding binding = bindingAt(lines, row, match.capturedEnd(0));
                for (const QString &literal : untranslated(binding.text)) {
                    err << path << ':' << row + 1 << ": \"" << literal << "\" in " << match.captured(1)
                        << " is not translatable: wrap it in qsTr(), or end the line with \"// notr: why\"\n";
                    ++offences;
                }
            }
        }
    }
    if (offences > 0)
        return 1;
    QFile stamp(arguments.constFirst());
    if (!stamp.open(QIODevice::WriteOnly)) {
        err << stamp.fileName() << ": cannot write: " << stamp.errorString() << '\n';
        return 2;
    }
    return 0;
}
