#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <utility>

// Calls handler(result) on context's thread when the future has finished; never once context
// is gone (the watcher is its child). Used instead of QFuture::then(context, ...), whose
// continuation Qt 6.4 was seen to lose now and then when the task finished while .then() was
// being attached (tst_historypage: a refresh that never answered, about one run in three).
template<typename T, typename Handler>
void whenDone(QObject *context, QFuture<T> future, Handler handler)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, handler = std::move(handler)]() mutable {
                         handler(watcher->result());
                         watcher->deleteLater();
                     });
    watcher->setFuture(std::move(future));
}
