#include "logging.h"

Q_LOGGING_CATEGORY(lcCore, "slipway.core", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSource, "slipway.source", QtInfoMsg)
Q_LOGGING_CATEGORY(lcBuild, "slipway.build", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "slipway.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRegistry, "slipway.registry", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEngine, "slipway.engine", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDeploy, "slipway.deploy", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHistory, "slipway.history", QtInfoMsg)
