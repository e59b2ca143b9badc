#pragma once

// Private to core/projectfile/: the draft a slipway.toml suggestion is made in (suggest.cpp), shared
// with the Dockerfile reader (suggestdockerfile.cpp).

#include "projectfile/suggest.h"

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <utility>

namespace slipway::suggest {

struct LayerDraft
{
    QString comment;
    QString name;
    QStringList include;
    QString dest;
};

// What the suggestion says, before it is written out as TOML.
struct Draft
{
    QString kind;
    QString why;
    QStringList notes; // comment lines at the top of the file
    QString baseComment;
    QString base = QStringLiteral("scratch");
    QString workdir;
    QString entrypointComment;
    QStringList entrypoint;
    QStringList cmd;
    QList<std::pair<QString, QString>> env;
    QString envComment;
    QString user;
    QList<int> expose;
    QList<std::pair<QString, QString>> labels;
    QList<LayerDraft> layers;
    // Non-empty: the image is this Dockerfile's, built by an engine ([build]); no [image] and no
    // [[layers]] are written.
    QString dockerfile;
    QString deployName;
    QString healthPath;   // empty: the health line is written as a commented example
    int stopTimeout = -1; // [deploy] stop_timeout; -1: the default
    QString stopTimeoutComment;
};

// The repository's file list, and its root files read on demand.
class Repository
{
public:
    Repository(const QList<SourceFile> &files, const RootFileReader &read)
        : m_files(files)
        , m_read(read)
    {
        for (const SourceFile &file : files)
            m_paths.insert(file.path);
    }

    const QList<SourceFile> &files() const { return m_files; }
    bool has(const QString &path) const { return m_paths.contains(path); }
    bool hasUnder(const QString &directory) const
    {
        const QString prefix = directory + u'/';
        return std::any_of(m_files.cbegin(), m_files.cend(),
                           [&](const SourceFile &file) { return file.path.startsWith(prefix); });
    }
    const SourceFile *file(const QString &path) const
    {
        for (const SourceFile &file : m_files)
            if (file.path == path)
                return &file;
        return nullptr;
    }
    QByteArray read(const QString &name) const
    {
        if (!has(name))
            return {};
        Result<QByteArray> contents = m_read(name);
        return contents ? contents.value() : QByteArray();
    }

private:
    const QList<SourceFile> &m_files;
    const RootFileReader &m_read;
    QSet<QString> m_paths;
};

// Dependencies that change less often than the code (node_modules/, vendor/) get a layer of
// their own before the app's.
void addDepsLayer(Draft &draft, const Repository &repo, const QString &dest);
// Everything else in the repository, at dest.
void addAppLayer(Draft &draft, const QString &dest, const QString &why = QString());

// Carries over what the last stage of a Dockerfile (or Containerfile) says that Slipway has a
// setting for (FROM, WORKDIR, ENV, LABEL, USER, EXPOSE, ENTRYPOINT/CMD, the destination of
// `COPY . DEST`), and says in comments what it cannot (RUN steps, COPY --from, ...).
void fromDockerfile(Draft &draft, const Repository &repo, const QString &fileName);

} // namespace slipway::suggest
