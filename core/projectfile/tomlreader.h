#pragma once

// Private to core/projectfile/: reading slipway.toml's values, and recording what is wrong
// with them in messages that name the file, the line and the key.

#include "util/result.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <toml++/toml.h>

#include <optional>
#include <string_view>

namespace slipway::spec_detail {

QString toQString(std::string_view s);
// "a string", "an integer", ...: what a value is, for messages.
QString typeName(const toml::node &node);
int lineOf(const toml::node &node);
int lineOf(const toml::key &key);

// Every problem found is recorded; the one on the earliest line is reported, so the user fixes
// the file top to bottom.
class SpecProblems final
{
public:
    explicit SpecProblems(const QString &fileName)
        : m_fileName(fileName)
    {}

    // Records "FILE:LINE: WHAT"; returns false so callers can `return problems.fail(...)`.
    bool fail(int line, const QString &what);
    const QString &fileName() const { return m_fileName; }
    const std::optional<Error> &first() const { return m_error; }

private:
    QString m_fileName;
    std::optional<Error> m_error;
    int m_errorLine = 0;
};

// Typed readers: `where` is the table and key as messages name them ("[image] user"). Each
// records a problem and returns false (or nullopt) when the value does not fit.
bool readString(SpecProblems &problems, const toml::node &node, const QString &where, QString &out);
bool readStringList(SpecProblems &problems, const toml::node &node, const QString &where, QStringList &out);
std::optional<qint64> readInteger(SpecProblems &problems, const toml::node &node, const QString &where);
bool readPort(SpecProblems &problems, const toml::node &node, const QString &where, int &out);
// A map of names to strings; integers and booleans are taken as their text. isEnv: names may
// not contain '='.
bool readStringMap(SpecProblems &problems, const toml::node &node, const QString &where, bool isEnv,
                   QMap<QString, QString> &out);

} // namespace slipway::spec_detail
