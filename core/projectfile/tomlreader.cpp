#include "projectfile/tomlreader.h"

namespace slipway::spec_detail {

QString toQString(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

QString typeName(const toml::node &node)
{
    switch (node.type()) {
    case toml::node_type::table:
        return QStringLiteral("a table");
    case toml::node_type::array:
        return QStringLiteral("a list");
    case toml::node_type::string:
        return QStringLiteral("a string");
    case toml::node_type::integer:
        return QStringLiteral("an integer");
    case toml::node_type::floating_point:
        return QStringLiteral("a float");
    case toml::node_type::boolean:
        return QStringLiteral("a boolean");
    case toml::node_type::date:
        return QStringLiteral("a date");
    case toml::node_type::time:
        return QStringLiteral("a time");
    case toml::node_type::date_time:
        return QStringLiteral("a date-time");
    case toml::node_type::none:
        break;
    }
    return QStringLiteral("nothing");
}

int lineOf(const toml::node &node)
{
    return int(node.source().begin.line);
}

int lineOf(const toml::key &key)
{
    return int(key.source().begin.line);
}

bool SpecProblems::fail(int line, const QString &what)
{
    if (!m_error || line < m_errorLine) {
        m_error = Error::badInput(m_fileName + u':' + QString::number(line) + QStringLiteral(": ") + what);
        m_errorLine = line;
    }
    return false;
}

bool readString(SpecProblems &problems, const toml::node &node, const QString &where, QString &out)
{
    if (const auto *v = node.as_string()) {
        out = toQString(v->get());
        return true;
    }
    return problems.fail(lineOf(node), where + QStringLiteral(" must be a string, not ") + typeName(node));
}

bool readStringList(SpecProblems &problems, const toml::node &node, const QString &where, QStringList &out)
{
    const toml::array *array = node.as_array();
    if (!array || (!array->empty() && !array->is_homogeneous(toml::node_type::string))) {
        const QString found = array ? QStringLiteral("a list holding other values") : typeName(node);
        return problems.fail(lineOf(node),
                             where + QStringLiteral(" must be a list of strings, not ") + found);
    }
    QStringList list;
    for (const toml::node &item : *array)
        list << toQString(item.as_string()->get());
    out = list;
    return true;
}

std::optional<qint64> readInteger(SpecProblems &problems, const toml::node &node, const QString &where)
{
    if (const auto *v = node.as_integer())
        return v->get();
    problems.fail(lineOf(node), where + QStringLiteral(" must be an integer, not ") + typeName(node));
    return std::nullopt;
}

bool readPort(SpecProblems &problems, const toml::node &node, const QString &where, int &out)
{
    const std::optional<qint64> value = readInteger(problems, node, where);
    if (!value)
        return false;
    if (*value < 1 || *value > 65535) {
        return problems.fail(lineOf(node), where + QStringLiteral(" must be a port from 1 to 65535, not ") +
                                               QString::number(*value));
    }
    out = int(*value);
    return true;
}

bool readStringMap(SpecProblems &problems, const toml::node &node, const QString &where, bool isEnv,
                   QMap<QString, QString> &out)
{
    const toml::table *table = node.as_table();
    if (!table) {
        return problems.fail(lineOf(node),
                             where +
                                 QStringLiteral(" must be a table of strings, e.g. { NAME = \"value\" }, "
                                                "not ") +
                                 typeName(node));
    }
    bool ok = true;
    QMap<QString, QString> map;
    for (auto &&[key, value] : *table) {
        const QString name = toQString(key.str());
        if (name.isEmpty()) {
            ok = problems.fail(lineOf(key), where + QStringLiteral(" has an empty name"));
            continue;
        }
        if (isEnv && name.contains(u'=')) {
            ok = problems.fail(lineOf(key),
                               where + QStringLiteral(" name '") + name + QStringLiteral("' contains '='"));
            continue;
        }
        const QString item = where + QStringLiteral(" '") + name + u'\'';
        if (const auto *s = value.as_string()) {
            map.insert(name, toQString(s->get()));
        } else if (const auto *i = value.as_integer()) {
            map.insert(name, QString::number(i->get()));
        } else if (const auto *b = value.as_boolean()) {
            map.insert(name, b->get() ? QStringLiteral("true") : QStringLiteral("false"));
        } else {
            ok = problems.fail(lineOf(value),
                               item + QStringLiteral(" must be a string, not ") + typeName(value));
        }
    }
    if (ok)
        out = map;
    return ok;
}

} // namespace slipway::spec_detail
