#pragma once

// Helpers the window tests share: finding items, clicking them, a test repository with a
// slipway.toml, and reading back the OCI layout a build wrote.

#include "gitrepo.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

namespace slipway::test {

// Repeater and ListView delegates are in the visual item tree, not always in the QObject tree.
inline QQuickItem *findItem(QQuickItem *root, const QString &objectName)
{
    if (root->objectName() == objectName)
        return root;
    const QList<QQuickItem *> children = root->childItems();
    for (QQuickItem *child : children)
        if (QQuickItem *found = findItem(child, objectName))
            return found;
    return nullptr;
}

// Like findItem, skipping hidden items: after a model reset the old delegates linger, hidden,
// until they are deleted, next to the new ones with the same names.
inline QQuickItem *findVisibleItem(QQuickItem *root, const QString &objectName)
{
    if (!root->isVisible())
        return nullptr;
    if (root->objectName() == objectName)
        return root;
    const QList<QQuickItem *> children = root->childItems();
    for (QQuickItem *child : children)
        if (QQuickItem *found = findVisibleItem(child, objectName))
            return found;
    return nullptr;
}

inline bool clickItem(QQuickWindow *window, QQuickItem *item)
{
    if (!item || !item->isVisible() || !item->isEnabled())
        return false;
    const QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(window, Qt::LeftButton, {}, centre.toPoint());
    return true;
}

// Settings of a test go to the test-mode config directory, emptied first.
inline void isolateSettings()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SlipwayTest"));
    QCoreApplication::setApplicationName(QStringLiteral("SlipwayTest"));
    QSettings().clear();
}

inline const char sampleSpec[] = "[image]\n"
                                 "entrypoint = [\"/app/bin/server\"]\n"
                                 "[[layers]]\n"
                                 "name = \"deps\"\n"
                                 "include = [\"vendor/**\"]\n"
                                 "dest = \"/app\"\n"
                                 "[[layers]]\n"
                                 "name = \"app\"\n"
                                 "include = [\"**\"]\n"
                                 "dest = \"/app\"\n";

// A repository with two layers (deps: 30 files, app: the rest) on main, and a branch "feature".
inline bool makeSampleRepository(GitRepo &repo)
{
    if (!repo.isValid() || !repo.writeFile(QStringLiteral("slipway.toml"), sampleSpec))
        return false;
    for (int i = 0; i < 30; ++i)
        if (!repo.writeFile(QStringLiteral("vendor/lib%1.js").arg(i),
                            QByteArray("module ") + QByteArray::number(i)))
            return false;
    if (!repo.writeFile(QStringLiteral("bin/server"), "#!/bin/sh\necho hi\n", true) ||
        repo.commit(QStringLiteral("first: the app")).isEmpty())
        return false;
    if (!repo.gitOk({QStringLiteral("branch"), QStringLiteral("feature")}))
        return false;
    return repo.writeFile(QStringLiteral("README"), "readme\n") &&
           !repo.commit(QStringLiteral("second: a readme")).isEmpty();
}

// A repository big enough that its build takes seconds: `megabytes` of incompressible files.
inline bool makeBigRepository(GitRepo &repo, int megabytes)
{
    if (!repo.isValid() || !repo.writeFile(QStringLiteral("slipway.toml"), sampleSpec))
        return false;
    QRandomGenerator random(42);
    QByteArray block(1024 * 1024, Qt::Uninitialized);
    for (int i = 0; i < megabytes; ++i) {
        random.fillRange(reinterpret_cast<quint32 *>(block.data()), block.size() / 4);
        if (!repo.writeFile(QStringLiteral("vendor/blob%1.bin").arg(i), block))
            return false;
    }
    return !repo.commit(QStringLiteral("big")).isEmpty();
}

inline QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

inline QString blobPath(const QString &layout, const QString &digest)
{
    return QDir(layout).filePath(QStringLiteral("blobs/sha256/") + digest.mid(7));
}

} // namespace slipway::test
