// Template types for <ws-chat-panel> and <message-center-provider> (vue-tsc / Volar).
import type {} from 'lit-message-center/vue';
