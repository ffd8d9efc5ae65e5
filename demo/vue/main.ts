import { createApp } from 'vue';
import 'lit-message-center/define';
import App from './App.vue';

createApp(App).mount('#app');
