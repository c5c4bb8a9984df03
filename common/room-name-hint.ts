/**
 * The "easy to guess" hint for room names people type themselves. Kept apart from the
 * generator so the home page can show the hint without loading the generator's word lists.
 */

/**
 * Names people reach for first, compared with hyphens removed so that "team-meeting", "teammeeting"
 * and "team-meeting-2" all match one entry. Short names are listed too although length alone already
 * flags them, so the list reads as what it is.
 */
export const COMMON_ROOM_NAMES: ReadonlySet<string> = new Set(
  `
  test testing meeting meet standup team daily hello demo chat room call class family friends party sync
  lobby office work home general main lounge hangout catchup coffee lunch support sales design product project
  interview conference webinar workshop training lesson school classroom study welcome natter
  allhands teammeeting teamsync teamcall teamchat dailystandup dailysync weeklysync weeklymeeting staffmeeting
  boardmeeting testroom testmeeting myroom ourroom newroom meetingroom videocall videochat familycall familychat
  friendsandfamily bookclub gamenight movienight birthdayparty happyhour officehours privateroom secretroom
  onetoone oneonone
  `
    .split(/\s+/)
    .filter((name) => name.length > 0),
);

/** Names shorter than this are flagged whatever they say: few enough to enumerate. */
export const EASY_NAME_LENGTH = 10;
/** A single unbroken word shorter than this is probably a dictionary word or a first name. */
export const EASY_SINGLE_WORD_LENGTH = 12;

/**
 * Whether a *normalized* room name (see normalizeRoomName) deserves the gentle hint "easy to guess —
 * use a suggested name or lock the room". Deliberately simple so the hint is predictable; a name is
 * easy to guess when
 *  1. it is shorter than 10 characters ("standup", "a-b-c"), or
 *  2. it is one word with no hyphen and shorter than 12 characters ("conference", "basketball"), or
 *  3. with hyphens and trailing digits ignored, it is in COMMON_ROOM_NAMES ("room1", "test-123",
 *     "team-meeting-2", "daily-standup-2024").
 * Suggested names never trip any rule. This is a hint, not a gate: people may use any valid name.
 */
export function isEasyToGuess(normalizedName: string): boolean {
  const length = [...normalizedName].length;
  if (length < EASY_NAME_LENGTH) return true;
  if (!normalizedName.includes("-") && length < EASY_SINGLE_WORD_LENGTH) return true;
  const stem = normalizedName.replace(/[-\p{Nd}]+$/u, "").replaceAll("-", "");
  return COMMON_ROOM_NAMES.has(stem);
}
