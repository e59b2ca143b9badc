#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace slipway::test {

// Writes `contents` to `path`, making its folders first; false when it cannot.
bool writeFile(const QString &path, const QByteArray &contents);

// The files under `directory` (hidden ones too) whose bytes contain `needle` (UTF-8): for
// "the secret is in no file".
QStringList filesContaining(const QString &directory, const QString &needle);

// A Docker config.json holding a Basic login for one registry (as `docker login` writes it).
QByteArray dockerConfigJson(const QString &registry, const QString &user, const QString &password);

} // namespace slipway::test
