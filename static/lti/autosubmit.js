// The deep-linking answer goes back to the platform without a click; the button stays
// for browsers without scripts.
document.getElementById("lti-deep-link-return")?.submit();
