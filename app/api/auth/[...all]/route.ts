import { getAuth } from "@/server/auth/instance";

export const GET = async (request: Request) => (await getAuth()).handler(request);
export const POST = async (request: Request) => (await getAuth()).handler(request);
