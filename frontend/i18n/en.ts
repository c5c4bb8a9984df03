/**
 * English: the source catalog. Its shape is the `Catalog` type every other language must match
 * exactly (a missing or an extra key fails the typecheck), so a new string starts here.
 * Catalogs are data: plain sentences with {placeholders} (filled by format.ts), and plural forms
 * per CLDR category (plural.ts), "#" standing for the count. Room names, people's names, keys
 * and safety codes are never in here: they are shown as they are.
 */
import type { PluralForms } from "./plural";

export const en = {
  /** BCP 47 tag for Intl (dates, numbers, plural rules). */
  locale: "en",

  // Shared words
  join: "Join",
  tryAgain: "Try again",
  close: "Close",
  cancel: "Cancel",
  done: "Done",
  backHome: "Back to home",
  language: "Language",

  // Loading a page (lazy.tsx, lazy-parts.tsx)
  loadingCall: "Loading the call…",
  callNotLoadedTitle: "The call could not load",
  callNotLoaded: "Check your connection, then reload the page.",
  reload: "Reload",
  partNotLoaded: "This part of the call could not load. Check your connection, then try again.",

  // Home
  homeLede: "Video calls where a room is a link. Pick a name, share the address, talk.",
  roomName: "Room name",
  roomNamePlaceholder: "e.g. team-sync",
  newName: "New name",
  easyToGuess: "Easy to guess — use a suggested name or lock the room once you're in.",
  suggestedNames: "Suggested names are one of 2^{bits} (about {count}), so nobody stumbles into your room.",
  roomNameEmpty: "A room name needs at least one letter or digit.",
  roomNameCharacters:
    "Room names may only use letters, digits and hyphens (spaces, dots and underscores become hyphens).",
  roomNameTooLong: "Room names may be at most {max} characters long.",
  roomNameBadLink: "This link is not a valid room address.",
  notARoomName: "“{input}” is not a room name",
  chooseAnotherRoom: "Choose another room",

  // Hair check
  readyToJoin: "Ready to join?",
  joiningRoom: "You are joining {room}. Check how you look and sound first.",
  yourPreview: "Your preview",
  waitingForCamera: "Waiting for the camera…",
  noCamera: "No camera",
  yourCameraIsOff: "Your camera is off",
  howToAllow:
    "To allow them, click the camera or padlock icon at the left of the address bar, set Camera and Microphone to Allow, then try again.",
  joiningNow: "Joining…",
  joinToListen: "Join to listen and watch",
  devices: "Devices",
  yourName: "Your name",
  nameEmpty: "Enter a name.",
  nameTooLong: "A name has at most {max} characters.",
  nameControl: "A name cannot contain line breaks or tabs.",
  nameDirection: "A name must not contain characters that change the direction of text ({char}).",
  nameInvisible: "A name must not contain invisible characters ({char}).",
  nameLineBreak: "A name must not contain line breaks.",
  nameBroken: "A name must be valid text (it contains half of a surrogate pair).",
  nameNoVisible: "A name must contain at least one visible character.",
  nameReservedWord: "A name must not be “{word}”: natter shows that word in place of each person’s own name.",
  nameReservedEnding: "A name must not end with “{ending}”: natter adds that itself.",
  nameReservedTag: "A name must not end with # and a code: natter adds that to tell people with the same name apart.",

  // Camera and microphone problems
  mediaInsecure: "This browser cannot use a camera or microphone here (it needs a secure https:// page) — {then}",
  mediaBlocked: "Camera and microphone are blocked — {then} {how}",
  mediaNotFound: "No camera or microphone found — {then}",
  mediaInUse: "Your camera and microphone are in use by another app or could not start — {then}",
  mediaUnavailable: "Camera and microphone are unavailable — {then}",
  cameraBlocked: "The camera is blocked — {then} {how}",
  cameraNotFound: "No camera found — {then}",
  cameraInUse: "Your camera is in use by another app or could not start — {then}",
  cameraUnavailable: "The camera is unavailable — {then}",
  thenWatchOnly: "you can still watch and listen.",
  thenAudioOnly: "others can hear you but not see you.",
  howToAllowShort: "Allow them in the browser's site settings (the icon left of the address), then try again.",
  howToAllowCamera: "Allow it in the browser's site settings (the icon left of the address), then try again.",
  noMediaHere: "This browser cannot use a camera or microphone here.",
  microphoneBlocked: "The microphone is blocked in the browser's site settings.",
  microphoneGone: "That microphone is no longer connected.",
  microphoneBusy: "That microphone could not start; another app may be using it.",
  cameraSwitchBlocked: "The camera is blocked in the browser's site settings.",
  cameraGone: "That camera is no longer connected.",
  cameraBusy: "That camera could not start; another app may be using it.",

  // Media buttons and devices
  micUnavailable: "Microphone unavailable",
  muteMic: "Mute microphone",
  unmuteMic: "Unmute microphone",
  cameraButtonUnavailable: "Camera unavailable",
  turnCameraOff: "Turn camera off",
  turnCameraOn: "Turn camera on",
  withShortcut: "{label} ({key})",
  camera: "Camera",
  microphone: "Microphone",
  speaker: "Speaker",
  testSpeaker: "Test speaker",
  micLevel: "Microphone level",
  micIsOff: "Your microphone is off.",
  clickForLevel: "Click anywhere on the page to see your microphone level.",
  micSilent: "No input detected: check that your microphone is not muted on the device, or pick another one.",

  // The call: header and alerts
  connecting: "Connecting…",
  locked: "Locked",
  waitingForOthers: "Waiting for others — share this page's address to invite them.",
  peopleInCall: { one: "# person in the call", other: "# people in the call" } as PluralForms,
  reconnecting: "Reconnecting…",
  disconnected: "Disconnected",
  removedFromCall: "Removed from the call",
  youLeft: "You left",
  lockedBy: "Locked by {name}",
  lockedByYou: "Locked by you",
  showSelfView: "Show self view",
  callStopped: "The call stopped.",
  youAreMuted: "You are muted",
  wrongKeyTried: "Someone tried a wrong key for this room.",
  youLockedRoom: "You locked the room.",
  youUnlockedRoom: "You unlocked the room.",
  someoneLockedRoom: "{name} locked the room.",
  someoneUnlockedRoom: "{name} unlocked the room.",
  roomBusy: "The room is busy checking keys; try again in a few seconds.",
  roomLockCooldown: "You just locked or unlocked the room; try again in a few seconds.",
  roomRateLimited: "Too many changes at once; slow down a little.",

  // Why a call ended
  errorUnreachable: "Could not reach the room.",
  errorFull: "This call is full. Try again when someone leaves.",
  errorReplaced: "This call continued in another tab or window, so it was ended here.",
  errorInsecure: "This page cannot open rooms here: open it over https.",
  errorConnect: "Could not connect to the room.",
  errorRefused: "The room closed the connection.",
  errorRoomRefused: "The room turned down the request to join. Try again.",
  errorLost: "Lost the connection to the room. Check your network and try again.",

  // Control bar
  stopSharing: "Stop sharing",
  shareScreen: "Share screen",
  chat: "Chat",
  chatUnread: { one: "Chat, # unread", other: "Chat, # unread" } as PluralForms,
  copyLink: "Copy link",
  copied: "Copied",
  copyFailed: "Could not copy: the address bar has the link",
  lockRoom: "Lock room",
  unlockRoom: "Unlock room",
  settings: "Settings",
  leaveCall: "Leave call",
  leave: "Leave",
  screenNothing: "There is no screen or window here that could be shared.",
  screenBlocked: "The screen could not be captured: another app or the system's privacy settings may be blocking it.",
  screenFailed: "Could not share the screen.",
  screenUnsupported: "This browser cannot share a screen.",

  // Tiles
  selfCaption: "{name} (you)",
  hideSelfView: "Hide self view",
  safetyCodeVerified: "Safety code verified",
  verified: "Verified",
  verifyWith: "Verify safety code with {name}",
  removeFromCall: "Remove {name} from call",
  micMuted: "Microphone muted",
  presenting: "Presenting",
  pin: "Pin {name}",
  unpin: "Unpin {name}",
  showFullScreen: "Show {name} full screen",
  exitFullScreen: "Exit full screen",
  participants: "Participants",
  qualityGood: "Connection good",
  qualityFair: "Connection fair",
  qualityPoor: "Connection poor",
  qualityStalled: "No media arriving",
  qualityStalledDetails: "no audio or video has arrived for the last few seconds",
  qualityDetails: "round trip {rtt}, packet loss {loss}, {video}",
  unknown: "unknown",
  noVideo: "no video",
  fps: "{fps} fps",

  // Chat
  closeChat: "Close chat",
  chatNote: "Messages go straight to the people in the call. They are not stored anywhere.",
  messages: "Messages",
  noMessagesYet: "No messages yet.",
  messageToEveryone: "Message to everyone",
  sendMessage: "Send message",
  charactersUsed: "{count} of {max}",
  messagesDropped: "Messages from {name} were dropped: too many at once.",
  you: "You",
  writeMessageFirst: "Write a message first.",
  messageTooLong: "A message has at most {max} characters.",
  notInCall: "You are not in the call.",

  // Locking
  keyCopied: "Key copied.",
  keyNotCopied: "Could not copy automatically: the key is selected, copy it yourself.",
  removeTitle: "Remove {name} from the call",
  lockFirst: "Lock the room first, or {name} can rejoin with the link.",
  lockExplained:
    "Once the room is locked, people who open the link need this key, or someone inside has to let them in. Share the key separately: the link never contains it, and natter does not keep it, so copy it now.",
  roomKey: "Room key",
  copyKey: "Copy key",
  keyStrength: "The suggested key is {bits} random bits; any key of 4 or more characters works.",
  lockAndRemove: "Lock and remove",
  lock: "Lock",
  keyEmpty: "Enter the room key.",
  keyTooShort: "A room key has at least {min} characters.",
  keyTooLong: "A room key has at most {max} characters.",
  keyControl: "A room key cannot contain line breaks or tabs.",

  // The locked door
  roomIsLocked: "This room is locked",
  lockedLede: "Enter the room key, or ask the people inside to let you in.",
  enterRoom: "Enter room",
  askToJoin: "Ask to join",
  checkingKey: "Checking the key…",
  wrongKeyTriesLeft: {
    one: "That key is wrong. # try left before waits start.",
    other: "That key is wrong. # tries left before waits start.",
  } as PluralForms,
  wrongKeyWaits: "That key is wrong. From now on each try has to wait a little, and each wait is longer than the last.",
  tryKeyNow: "You can try a key again now.",
  tooManyWrongKeys: "Too many wrong keys. Try again in {wait}.",
  knocking: "Asking to join… someone inside needs to let you in.",
  declined: "Your request was declined.",
  lapsed: "No one answered. Ask again?",
  tooManyKnocks: "Too many requests to join right now. Try again in a little while.",

  // People at the door
  atTheDoor: "At the door: {name} is asking to join",
  nameInUse: "Someone in the call already has this name. This is a different person.",
  admit: "Admit",
  admitName: "Admit {name}",
  deny: "Deny",
  denyName: "Deny {name}",

  // Removing someone
  confirmRemoveTitle: "Remove {name} from the call?",
  confirmRemove: "The room is locked, so {name} can only come back with the key or if someone lets them in.",
  remove: "Remove",

  // Settings and shortcuts
  saveName: "Save name",
  nameSaved: "Saved: everyone in the call sees your new name.",
  playSounds: "Play a quiet sound when someone joins, leaves or writes",
  showMyVideo: "Show my own video",
  keyboardShortcuts: "Keyboard shortcuts",
  shortcutMicrophone: "Mute or unmute the microphone",
  shortcutPushToTalk: "While muted, hold to talk",
  shortcutCamera: "Turn the camera off or on",
  shortcutScreen: "Share the screen or stop sharing",
  shortcutChat: "Open or close the chat",
  shortcutHelp: "Show these shortcuts",
  shortcutsNote: "Shortcuts work anywhere in the call except while typing.",

  // Safety codes
  safetyCodeWith: "Safety code with {name}",
  safetyCodeWaiting:
    "The code appears once your connection to {name} is encrypted and both browsers have exchanged their part of it.",
  couldNotVerify: "Could not verify this connection.",
  maybeIntercepted:
    "Someone may be intercepting it. Do not rely on it for anything private; leave and rejoin to try again.",
  readTheCode:
    "Read the code to each other on the call. If it is the same on both screens, nobody is listening in; if it differs, someone is intercepting your connection.",
  markVerified: "Mark as verified",
  safetyMalformed: "The other end sent something that is not part of the safety-code exchange.",
  safetyRevealBeforeCommit: "The other end revealed its part of the code before committing to it.",
  safetyRevealBeforeOurCommit: "The other end revealed its part of the code before it could have seen ours.",
  safetyDoubleCommit: "The other end committed to its part of the code twice.",
  safetyDoubleReveal: "The other end revealed its part of the code twice.",
  safetyBadReveal: "The other end revealed a part of the code that does not match what it committed to.",
  safetyNoCertificates: "The certificates of this connection could not be read.",
  safetyCertificatesChanged: "The certificates of this connection changed after the code was made.",
  safetyBroken: "The safety code could not be computed.",

  // Leaving and removal
  leftRoom: "You left {room}",
  leftLede: "Your camera and microphone are off. The others can carry on without you.",
  rejoin: "Rejoin",
  newRoom: "New room",
  youWereRemoved: "You were removed from the call",
  removedYouFrom: "{name} removed you from {room}.",
  someoneRemovedYou: "Someone in {room} removed you.",
};

/** What every language provides: exactly English's keys, each of the same kind (sentence, or plural forms). */
export type Catalog = typeof en;
