pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

// How builds compress and how many threads they use; where the cache is, how big, and Clear;
// the registry logins saved in the system keychain (the model checks a login with the registry,
// off the GUI thread, before it saves it).
Page {
    id: page

    required property AppSettings settings
    required property LoginModel logins

    property string removeRegistry: ""

    objectName: "settingsPage"
    padding: 24

    onVisibleChanged: if (visible) page.refresh()

    function refresh() {
        page.settings.refreshCacheSize()
        page.logins.refresh()
    }

    function logIn() {
        if (loginButton.enabled)
            page.logins.add(registryField.text, usernameField.text, passwordField.text)
    }

    Connections {
        target: page.logins
        function onAdded(ok: bool, registry: string, error: string) {
            if (!ok)
                return
            // Typed once, kept nowhere: the keychain has it now.
            passwordField.clear()
            usernameField.clear()
            registryField.clear()
        }
    }

    Dialog {
        id: confirmClear

        objectName: "confirmClear"
        anchors.centerIn: parent
        modal: true
        title: qsTr("Clear the cache?")
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label {
            text: qsTr("Git mirrors, built layers and blobs in %1 are removed.\nThe next build starts cold.")
                  .arg(page.settings.cacheLocation)
        }
        onAccepted: page.settings.clearCache()
    }

    Dialog {
        id: confirmRemoveLogin

        objectName: "confirmRemoveLogin"
        anchors.centerIn: parent
        modal: true
        title: qsTr("Remove the login for %1?").arg(page.removeRegistry)
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label {
            text: qsTr("Slipway forgets it and removes it from the system keychain.\nPodman's and Docker's own logins stay.")
        }
        onAccepted: {
            const row = page.logins.indexOf(page.removeRegistry)
            if (row >= 0)
                page.logins.remove(row)
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 24

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Settings")
            subtitle: qsTr("Compression, parallelism, the cache and registry logins; builds and pushes started from the window use them.")
        }

        GridLayout {
            Layout.fillWidth: true
            Layout.maximumWidth: 900
            columns: 3
            columnSpacing: 12
            rowSpacing: 10

            Label { text: qsTr("Compression") }
            ComboBox {
                objectName: "compressionBox"
                Accessible.name: qsTr("Compression")
                Layout.preferredWidth: 160
                model: ["gzip", "zstd", "none"]
                currentIndex: Math.max(0, model.indexOf(page.settings.compression))
                onActivated: index => page.settings.compression = model[index]
            }
            Label {
                Layout.maximumWidth: 320
                text: qsTr("zstd is faster and smaller; some older engines only take gzip.")
                opacity: 0.6
                wrapMode: Text.Wrap
            }

            Label { text: qsTr("Level") }
            SpinBox {
                objectName: "levelBox"
                Accessible.name: qsTr("Compression level")
                Layout.preferredWidth: 160
                enabled: page.settings.compression !== "none"
                from: page.settings.minimumLevel
                to: page.settings.maximumLevel
                value: page.settings.level
                onValueModified: page.settings.level = value
            }
            Label {
                text: qsTr("%1 to %2").arg(page.settings.minimumLevel).arg(page.settings.maximumLevel)
                opacity: 0.6
            }

            Label { text: qsTr("Parallel jobs") }
            SpinBox {
                objectName: "jobsBox"
                Accessible.name: qsTr("Parallel jobs")
                Layout.preferredWidth: 160
                from: 0
                to: 256
                value: page.settings.jobs
                textFromValue: (value, locale) => value === 0 ? qsTr("auto") : Number(value).toLocaleString(locale, "f", 0)
                valueFromText: (text, locale) => text === qsTr("auto") ? 0 : Number.fromLocaleString(locale, text)
                onValueModified: page.settings.jobs = value
            }
            Label {
                text: qsTr("auto: one per core")
                opacity: 0.6
            }

            Label { text: qsTr("Cache") }
            TextField {
                objectName: "cacheField"
                Accessible.name: qsTr("Cache folder")
                Layout.fillWidth: true
                Layout.minimumWidth: 420
                text: page.settings.cacheLocation
                placeholderText: page.settings.defaultCacheLocation
                onEditingFinished: page.settings.cacheLocation = text
            }
            Button {
                text: qsTr("Default")
                enabled: page.settings.cacheLocation !== page.settings.defaultCacheLocation
                onClicked: page.settings.cacheLocation = ""
            }

            Label { text: qsTr("Cache size") }
            Label {
                objectName: "cacheSizeLabel"
                text: page.settings.cacheBusy && page.settings.cacheSize < 0 ? qsTr("measuring…")
                                                                            : Theme.formatSize(page.settings.cacheSize)
            }
            Button {
                objectName: "clearCacheButton"
                text: qsTr("Clear…")
                enabled: !page.settings.cacheBusy
                onClicked: confirmClear.open()
            }

            Item { width: 1; height: 1 }
            Label {
                Layout.columnSpan: 2
                visible: page.settings.message.length > 0
                text: page.settings.message
                opacity: 0.7
            }
        }

        ColumnLayout {
            objectName: "loginsSection"
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.maximumWidth: 900
            spacing: 10

            Label {
                text: qsTr("Registry logins")
                font.bold: true
            }
            Label {
                Layout.fillWidth: true
                text: qsTr("Saved in the system keychain and tried before Podman's and Docker's logins. Log in checks the login with the registry first.")
                opacity: 0.6
                wrapMode: Text.Wrap
            }

            RowLayout {
                Layout.fillWidth: true
                spacing: 8

                TextField {
                    id: registryField

                    objectName: "loginRegistryField"
                    Accessible.name: qsTr("Registry")
                    Layout.fillWidth: true
                    Layout.preferredWidth: 260
                    placeholderText: qsTr("registry.example.com:5000")
                    onAccepted: page.logIn()
                }
                TextField {
                    id: usernameField

                    objectName: "loginUsernameField"
                    Accessible.name: qsTr("Username")
                    Layout.fillWidth: true
                    Layout.preferredWidth: 160
                    placeholderText: qsTr("username")
                    onAccepted: page.logIn()
                }
                TextField {
                    id: passwordField

                    objectName: "loginPasswordField"
                    Accessible.name: qsTr("Password or token")
                    Layout.fillWidth: true
                    Layout.preferredWidth: 160
                    echoMode: TextInput.Password
                    placeholderText: qsTr("password or token")
                    onAccepted: page.logIn()
                }
                Button {
                    id: loginButton

                    objectName: "loginButton"
                    text: qsTr("Log in")
                    enabled: !page.logins.busy && registryField.text.trim().length > 0
                             && usernameField.text.trim().length > 0 && passwordField.text.length > 0
                    onClicked: page.logIn()
                }
                BusyIndicator {
                    objectName: "loginsBusy"
                    Layout.preferredWidth: 28
                    Layout.preferredHeight: 28
                    running: page.logins.busy
                    visible: running
                }
            }

            Label {
                objectName: "loginError"
                Layout.fillWidth: true
                visible: text.length > 0
                text: page.logins.error
                color: Theme.errorColour
                wrapMode: Text.Wrap
            }

            ListView {
                id: loginList

                objectName: "loginList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.minimumHeight: 96
                clip: true
                spacing: 2
                model: page.logins
                ScrollBar.vertical: ScrollBar {}

                delegate: ItemDelegate {
                    id: login

                    required property string registry
                    required property string username
                    required property string problem

                    objectName: "login_" + registry
                    width: ListView.view.width

                    contentItem: RowLayout {
                        spacing: 12
                        Label {
                            Layout.preferredWidth: 260
                            text: login.registry
                            font.bold: true
                            elide: Text.ElideMiddle
                        }
                        Label {
                            objectName: "loginUser"
                            Layout.fillWidth: true
                            text: login.problem.length > 0 ? login.problem : login.username
                            color: login.problem.length > 0 ? Theme.errorColour : palette.windowText
                            wrapMode: Text.Wrap
                        }
                        Button {
                            objectName: "removeLoginButton"
                            text: qsTr("Remove…")
                            enabled: !page.logins.busy
                            onClicked: {
                                page.removeRegistry = login.registry
                                confirmRemoveLogin.open()
                            }
                        }
                    }
                }

                EmptyState {
                    objectName: "loginsEmpty"
                    anchors.fill: parent
                    visible: loginList.count === 0 && !page.logins.busy
                    heading: qsTr("No saved logins")
                    explanation: qsTr("Podman's and Docker's own logins are used as well.")
                }
            }
        }
    }
}
