/** The shortest reason an operator's audited change accepts (the backend's `Reason`: 3 to 500 characters, trimmed). */
export const MIN_REASON = 3;
export const MAX_REASON = 500;
