#pragma once

#include <QByteArray>
#include <QString>

namespace slipway::test {

// Writes `contents` to `path`, making its folders first; false when it cannot.
bool writeFile(const QString &path, const QByteArray &contents);

// A Docker config.json holding a Basic login for one registry (as `docker login` writes it).
QByteArray dockerConfigJson(const QString &registry, const QString &user, const QString &password);

} // namespace slipway::test
