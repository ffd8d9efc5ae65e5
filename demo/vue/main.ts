import { createApp } from 'vue';
import 'message-center/define';
import App from './App.vue';

createApp(App).mount('#app');
