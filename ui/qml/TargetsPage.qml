pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Slipway.Ui

// The targets: add or edit one (name, endpoint, TLS files, and in a section of its own the
// proxy that zero-downtime deploys go through), remove one, test its connection (and read its
// proxy: the apps it routes), upgrade its proxy to the image its settings name, and see what
// Slipway runs there now. The model does every database and engine call off the GUI thread;
// errors come back as one line shown under the form (an upgrade's on its row).
Page {
    id: page

    required property TargetModel targets

    // The form: hidden, adding, or editing the target named in nameField (then read-only).
    property bool formOpen: false
    property bool editing: false
    // The proxy section of the form: open when the target being edited sets any of it.
    property bool proxyOpen: false
    property string formError: ""
    property string removeName: ""
    // The target Upgrade proxy asks about, and the image its proxy is to run.
    property string upgradeName: ""
    property string upgradeImage: ""

    objectName: "targetsPage"
    padding: 24

    onVisibleChanged: if (visible) page.targets.refresh()

    function openForm(editName: string, endpoint: string, ca: string, cert: string, key: string,
                      proxyImage: string, proxyHttpPort: int, proxyHttpsPort: int) {
        page.editing = editName.length > 0
        nameField.text = editName
        endpointField.text = endpoint
        caField.text = ca
        certField.text = cert
        keyField.text = key
        // A port of 0 is the default: an empty field.
        proxyImageField.text = proxyImage
        proxyHttpField.text = proxyHttpPort > 0 ? proxyHttpPort.toString() : ""
        proxyHttpsField.text = proxyHttpsPort > 0 ? proxyHttpsPort.toString() : ""
        page.proxyOpen = proxyImage.length > 0 || proxyHttpPort > 0 || proxyHttpsPort > 0
        page.formError = ""
        page.formOpen = true
        if (page.editing)
            endpointField.forceActiveFocus()
        else
            nameField.forceActiveFocus()
    }

    function submit() {
        page.formError = ""
        page.targets.save(page.editing, nameField.text, endpointField.text, caField.text, certField.text, keyField.text,
                          proxyImageField.text, proxyHttpField.text, proxyHttpsField.text)
    }

    Connections {
        target: page.targets
        function onSaved(ok: bool, error: string) {
            page.formError = error
            if (ok)
                page.formOpen = false
        }
    }

    FileDialog {
        id: fileDialog

        property TextField field: caField

        title: qsTr("Choose a TLS file")
        onAccepted: field.text = page.targets.fromDialogUrl(selectedFile)
    }

    Dialog {
        id: confirmRemove

        objectName: "confirmRemove"
        anchors.centerIn: parent
        modal: true
        title: qsTr("Remove target %1?").arg(page.removeName)
        standardButtons: Dialog.Ok | Dialog.Cancel
        onAboutToShow: removeAppsBox.checked = false
        ColumnLayout {
            spacing: 8
            Label {
                text: removeAppsBox.checked ? qsTr("Slipway stops and removes the apps it deployed there, then forgets the target; its history stays.")
                                            : qsTr("Slipway forgets the target; its containers keep running and its history stays.")
            }
            CheckBox {
                id: removeAppsBox

                objectName: "removeAppsBox"
                text: qsTr("Also stop and remove the apps Slipway deployed there")
            }
        }
        onAccepted: page.targets.remove(page.removeName, removeAppsBox.checked)
    }

    Dialog {
        id: confirmUpgradeProxy

        objectName: "confirmUpgradeProxy"
        anchors.centerIn: parent
        modal: true
        title: qsTr("Upgrade the proxy of %1?").arg(page.upgradeName)
        standardButtons: Dialog.Ok | Dialog.Cancel
        ColumnLayout {
            Label {
                objectName: "upgradeProxyQuestion"
                Layout.maximumWidth: Math.max(300, page.width * 0.6)
                text: qsTr("Slipway makes the proxy of %1 again from %2, keeping every route. The apps it proxies there do not answer for a second or two while the proxy is replaced.")
                          .arg(page.upgradeName).arg(page.upgradeImage)
                wrapMode: Text.Wrap
            }
        }
        // By name: a refresh may have moved the row meanwhile.
        onAccepted: page.targets.upgradeProxy(page.targets.indexOf(page.upgradeName))
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 18

        RowLayout {
            Layout.fillWidth: true
            PageHeader {
                Layout.fillWidth: true
                title: qsTr("Targets")
                subtitle: qsTr("The Docker or Podman hosts Slipway deploys to.")
            }
            Button {
                objectName: "addTargetButton"
                text: qsTr("Add target…")
                leftPadding: 12
                rightPadding: 12
                visible: !page.formOpen
                onClicked: page.openForm("", "", "", "", "", "", 0, 0)
            }
        }

        Frame {
            objectName: "targetForm"
            Layout.fillWidth: true
            Layout.maximumWidth: 900
            visible: page.formOpen

            GridLayout {
                anchors.fill: parent
                columns: 3
                columnSpacing: 12
                rowSpacing: 8

                Label { text: qsTr("Name") }
                TextField {
                    id: nameField

                    objectName: "targetNameField"
                    Layout.fillWidth: true
                    readOnly: page.editing
                    placeholderText: qsTr("web-1")
                    onAccepted: page.submit()
                }
                Item { Layout.preferredWidth: 1 }

                Item { Layout.preferredWidth: 1; visible: nameError.visible }
                Label {
                    id: nameError

                    objectName: "targetNameError"
                    Layout.columnSpan: 2
                    Layout.fillWidth: true
                    visible: !page.editing && nameField.text.length > 0 && text.length > 0
                    text: page.targets.checkName(nameField.text)
                    color: Theme.errorColour
                    wrapMode: Text.Wrap
                }

                Label { text: qsTr("Endpoint") }
                TextField {
                    id: endpointField

                    objectName: "targetEndpointField"
                    Layout.fillWidth: true
                    placeholderText: qsTr("unix:///run/podman/podman.sock, tcp://host:2376 or ssh://user@host")
                    onAccepted: page.submit()
                }
                Item { Layout.preferredWidth: 1 }

                Label { text: qsTr("TLS CA") }
                TextField {
                    id: caField

                    objectName: "targetCaField"
                    Layout.fillWidth: true
                    placeholderText: qsTr("only for tcp://: the CA, certificate and key together")
                }
                Button {
                    text: qsTr("Browse…")
                    onClicked: { fileDialog.field = caField; fileDialog.open() }
                }

                Label { text: qsTr("TLS certificate") }
                TextField {
                    id: certField

                    objectName: "targetCertField"
                    Layout.fillWidth: true
                }
                Button {
                    text: qsTr("Browse…")
                    onClicked: { fileDialog.field = certField; fileDialog.open() }
                }

                Label { text: qsTr("TLS key") }
                TextField {
                    id: keyField

                    objectName: "targetKeyField"
                    Layout.fillWidth: true
                }
                Button {
                    text: qsTr("Browse…")
                    onClicked: { fileDialog.field = keyField; fileDialog.open() }
                }

                // The proxy: most targets keep its defaults, so its fields fold away.
                Button {
                    objectName: "proxySectionButton"
                    Layout.columnSpan: 3
                    flat: true
                    text: (page.proxyOpen ? "▾ " : "▸ ") + qsTr("Proxy (zero-downtime deploys)")
                    onClicked: page.proxyOpen = !page.proxyOpen
                }

                Label { text: qsTr("Proxy image"); visible: page.proxyOpen }
                TextField {
                    id: proxyImageField

                    objectName: "targetProxyImageField"
                    Layout.fillWidth: true
                    visible: page.proxyOpen
                    placeholderText: qsTr("empty: the pinned default image")
                    onAccepted: page.submit()
                }
                Item { Layout.preferredWidth: 1; visible: page.proxyOpen }

                Label { text: qsTr("Proxy HTTP port"); visible: page.proxyOpen }
                TextField {
                    id: proxyHttpField

                    objectName: "targetProxyHttpPortField"
                    Layout.fillWidth: true
                    visible: page.proxyOpen
                    placeholderText: qsTr("empty: 80")
                    onAccepted: page.submit()
                }
                Item { Layout.preferredWidth: 1; visible: page.proxyOpen }

                Label { text: qsTr("Proxy HTTPS port"); visible: page.proxyOpen }
                TextField {
                    id: proxyHttpsField

                    objectName: "targetProxyHttpsPortField"
                    Layout.fillWidth: true
                    visible: page.proxyOpen
                    placeholderText: qsTr("empty: 443")
                    onAccepted: page.submit()
                }
                Item { Layout.preferredWidth: 1; visible: page.proxyOpen }

                Label {
                    objectName: "targetFormError"
                    Layout.columnSpan: 3
                    Layout.fillWidth: true
                    visible: text.length > 0
                    text: page.formError
                    color: Theme.errorColour
                    wrapMode: Text.Wrap
                }

                RowLayout {
                    Layout.columnSpan: 3
                    spacing: 8
                    Button {
                        objectName: "saveTargetButton"
                        text: page.editing ? qsTr("Save") : qsTr("Add")
                        enabled: !page.targets.busy && endpointField.text.trim().length > 0
                                 && (page.editing || (nameField.text.length > 0 && nameError.text.length === 0))
                        onClicked: page.submit()
                    }
                    Button {
                        text: qsTr("Cancel")
                        onClicked: page.formOpen = false
                    }
                }
            }
        }

        Label {
            visible: text.length > 0
            text: page.targets.error
            color: Theme.errorColour
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        ListView {
            id: view

            objectName: "targetList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 4
            model: page.targets
            ScrollBar.vertical: ScrollBar {}

            delegate: ItemDelegate {
                id: row

                required property int index
                required property string name
                required property string endpoint
                required property string tlsCa
                required property string tlsCert
                required property string tlsKey
                required property string proxyImage
                required property int proxyHttpPort
                required property int proxyHttpsPort
                required property string check
                required property bool checkOk
                required property bool checking
                required property string proxyCheck
                required property bool proxyCheckOk
                required property string proxyUpgrade
                required property bool proxyUpgradeOk
                required property bool upgrading
                required property string swarm
                required property bool swarmOk
                required property list<string> swarmNodes
                required property list<string> swarmServices
                required property string currentDigest
                required property string currentCommit
                required property var currentWhen

                objectName: "target_" + name
                Accessible.name: qsTr("Target %1").arg(name)
                width: ListView.view.width

                contentItem: RowLayout {
                    spacing: 12
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 2
                        Label {
                            text: row.tlsCert.length > 0 ? qsTr("%1  (TLS)").arg(row.name) : row.name
                            font.bold: true
                        }
                        Label {
                            Layout.fillWidth: true
                            text: row.endpoint
                            elide: Text.ElideMiddle
                            opacity: 0.7
                        }
                        Label {
                            objectName: "currentRelease"
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                            opacity: 0.85
                            text: row.currentDigest.length === 0
                                  ? qsTr("Slipway runs nothing here yet")
                                  : qsTr("Runs %1 · commit %2 · since %3")
                                        .arg(row.currentDigest.substring(7, 19))
                                        .arg(row.currentCommit.length > 0 ? row.currentCommit.substring(0, 7) : qsTr("none"))
                                        .arg(Qt.formatDateTime(row.currentWhen, "yyyy-MM-dd HH:mm"))
                        }
                        Label {
                            objectName: "checkResult"
                            Layout.fillWidth: true
                            visible: text.length > 0
                            text: row.checking ? qsTr("Connecting…")
                                  : row.check.length === 0 ? ""
                                  : (row.checkOk ? "✓ " : "✗ ") + row.check
                            color: row.checking ? palette.windowText : (row.checkOk ? Theme.okColour : Theme.errorColour)
                            wrapMode: Text.Wrap
                        }
                        Label {
                            objectName: "proxyUpgradeResult"
                            Layout.fillWidth: true
                            visible: text.length > 0
                            text: row.upgrading ? qsTr("Upgrading the proxy…")
                                  : row.proxyUpgrade.length === 0 ? ""
                                  : (row.proxyUpgradeOk ? "✓ " : "✗ ") + row.proxyUpgrade
                            color: row.upgrading ? palette.windowText : (row.proxyUpgradeOk ? Theme.okColour : Theme.errorColour)
                            wrapMode: Text.Wrap
                        }
                        Label {
                            objectName: "proxyCheckResult"
                            Layout.fillWidth: true
                            visible: !row.checking && !row.upgrading && text.length > 0
                            text: row.proxyCheck
                            color: row.proxyCheckOk ? palette.windowText : Theme.errorColour
                            opacity: row.proxyCheckOk ? 0.85 : 1
                            wrapMode: Text.Wrap
                        }
                        // A Swarm manager's nodes and the replicas of Slipway's services on each,
                        // from the same test (core's probeTarget).
                        Label {
                            objectName: "swarmResult"
                            Layout.fillWidth: true
                            visible: !row.checking && text.length > 0
                            text: row.swarm.length === 0 ? ""
                                  : row.swarmOk ? qsTr("Swarm %1").arg(row.swarm) : row.swarm
                            color: row.swarmOk ? palette.windowText : Theme.errorColour
                            opacity: row.swarmOk ? 0.85 : 1
                            wrapMode: Text.Wrap
                        }
                        Repeater {
                            model: row.checking ? [] : row.swarmNodes
                            delegate: Label {
                                required property string modelData
                                objectName: "swarmNode"
                                Layout.fillWidth: true
                                Layout.leftMargin: 16
                                text: qsTr("Node %1").arg(modelData)
                                opacity: 0.85
                                wrapMode: Text.Wrap
                            }
                        }
                        Repeater {
                            model: row.checking ? [] : row.swarmServices
                            delegate: Label {
                                required property string modelData
                                objectName: "swarmService"
                                Layout.fillWidth: true
                                Layout.leftMargin: 16
                                text: qsTr("Service %1").arg(modelData)
                                opacity: 0.85
                                wrapMode: Text.Wrap
                            }
                        }
                    }
                    Button {
                        objectName: "testButton"
                        text: qsTr("Test connection")
                        leftPadding: 12
                        rightPadding: 12
                        enabled: !row.checking && !row.upgrading
                        onClicked: page.targets.testConnection(row.index)
                    }
                    Button {
                        objectName: "upgradeProxyButton"
                        text: qsTr("Upgrade proxy")
                        Accessible.name: qsTr("Upgrade the proxy of %1").arg(row.name)
                        leftPadding: 12
                        rightPadding: 12
                        enabled: !row.checking && !row.upgrading
                        onClicked: {
                            page.upgradeName = row.name
                            page.upgradeImage = row.proxyImage.length > 0 ? row.proxyImage : page.targets.defaultProxyImage
                            confirmUpgradeProxy.open()
                        }
                    }
                    Button {
                        objectName: "editButton"
                        text: qsTr("Edit")
                        onClicked: page.openForm(row.name, row.endpoint, row.tlsCa, row.tlsCert, row.tlsKey,
                                                 row.proxyImage, row.proxyHttpPort, row.proxyHttpsPort)
                    }
                    Button {
                        objectName: "removeButton"
                        text: qsTr("Remove")
                        onClicked: {
                            page.removeName = row.name
                            confirmRemove.open()
                        }
                    }
                }
            }

            EmptyState {
                anchors.fill: parent
                visible: view.count === 0 && !page.formOpen
                heading: qsTr("No targets yet")
                explanation: qsTr("A target is a Docker or Podman engine reached by a unix socket, TCP with TLS, or ssh.")
            }
        }
    }
}
